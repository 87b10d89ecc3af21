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
