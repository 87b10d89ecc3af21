/**
 * Deploy-time settings of the function groups: global options, params and secrets. Firebase exposes
 * each param and each bound secret to the function as an environment variable, which is how config.ts
 * reads them in both modes. Import this module before defining functions so the global options apply.
 */
import { defineInt, defineSecret, defineString } from "firebase-functions/params";
import { setGlobalOptions } from "firebase-functions/v2/options";

/** The region every function deploys to; the Cloud Tasks adapter addresses queues in it. */
export const region = "us-central1";

setGlobalOptions({ region, maxInstances: 20 });

/** Set to the literal `none` to run Firebase mode with the built-in local model providers. */
export const openaiApiKey = defineSecret("OPENAI_API_KEY");

export const openaiBaseUrl = defineString("OPENAI_BASE_URL", {
  default: "",
  description: "OpenAI-compatible endpoint (empty for api.openai.com)",
});
export const chatModel = defineString("CHAT_MODEL", {
  default: "gpt-4o-mini",
  description: "Chat model name",
});
export const embeddingModel = defineString("EMBEDDING_MODEL", {
  default: "text-embedding-3-small",
  description: "Embedding model name",
});
export const embeddingDimensions = defineInt("EMBEDDING_DIMENSIONS", {
  default: 256,
  description: "Embedding dimensions; must match the vector index in firestore.indexes.json",
});

// Protection of the public API (rate-limit.ts, channels/api/cors.ts). Bursts default to a fifth of the
// rate; set RATE_LIMIT_*_BURST in functions/.env to change them.
export const rateLimitPerKey = defineInt("RATE_LIMIT_PER_KEY", {
  default: 600,
  description: "Requests per minute per API key or signed-in account (0 turns the limit off)",
});
export const rateLimitPerTenant = defineInt("RATE_LIMIT_PER_TENANT", {
  default: 3000,
  description: "Requests per minute per tenant, all credentials together (0 turns the limit off)",
});
export const rateLimitPublicPerIp = defineInt("RATE_LIMIT_PUBLIC_PER_IP", {
  default: 60,
  description: "Requests per minute per client IP on public POST routes such as sign-in (0: off)",
});
export const rateLimitUploadMbPerMinute = defineInt("RATE_LIMIT_UPLOAD_MB_PER_MINUTE", {
  default: 300,
  description:
    "Megabytes uploaded per minute per tenant; uploads are charged by size, not by request (0: off)",
});
export const allowedOrigins = defineString("ALLOWED_ORIGINS", {
  default: "",
  description:
    "Comma-separated browser origins allowed to call the API cross-origin (empty: the project's Hosting sites)",
});
