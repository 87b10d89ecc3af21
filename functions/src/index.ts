// Every deployed function, by group. Firebase deploys these exports; the local runtime hosts the same ones.
export { api } from "./channels/functions.js";
export * as agents from "./agents/functions.js";
export * as knowledge from "./knowledge/functions.js";
export * as identity from "./identity/functions.js";
export * as privacy from "./privacy/functions.js";
export * as whatsapp from "./channels/whatsapp/functions.js";
export * as billing from "./billing/functions.js";
export * as monitor from "./monitor/functions.js";
export * as sandbox from "./sandbox/functions.js";
export * as tuning from "./tuning/functions.js";
export * as narrative from "./narrative/functions.js";
