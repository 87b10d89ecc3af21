// Every deployed function, by group. Firebase deploys these exports; the local runtime hosts the same ones.
export { api } from "./channels/functions.js";
export * as agents from "./agents/functions.js";
export * as knowledge from "./knowledge/functions.js";
