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

// Protection of the public API (rate-limit.ts, platform/http/cors.ts). Bursts default to a fifth of the
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
export const maxUploadFiles = defineInt("MAX_UPLOAD_FILES", {
  default: 1000,
  description: "Files in one multipart upload request (field 'files')",
});

// Reading uploaded documents (knowledge/parse/pool.ts): each document in a worker with these limits.
export const parseTimeoutSeconds = defineInt("PARSE_TIMEOUT_SECONDS", {
  default: 240,
  description: "Wall-clock limit for reading one uploaded document; its parse worker is stopped past it",
});
export const parseMemoryMb = defineInt("PARSE_MEMORY_MB", {
  default: 1024,
  description: "Heap limit of each parse worker in MB; keep it below the ingest function's 2 GiB",
});
export const allowedOrigins = defineString("ALLOWED_ORIGINS", {
  default: "",
  description:
    "Comma-separated browser origins allowed to call the API cross-origin (empty: the project's Hosting sites)",
});

// What tenants may make the platform do on the operator's behalf (platform/egress, agents/agents.ts).
export const toolAllowedHosts = defineString("TOOL_ALLOWED_HOSTS", {
  default: "",
  description:
    "Comma-separated hosts HTTP tools may call (*.example.com wildcards); empty: any public host. Private, " +
    "loopback and link-local addresses are refused either way",
});
export const allowedChatModels = defineString("ALLOWED_CHAT_MODELS", {
  default: "",
  description: "Comma-separated chat models agents may pick, besides CHAT_MODEL (empty: CHAT_MODEL only)",
});
export const maxOutputTokens = defineInt("MAX_OUTPUT_TOKENS", {
  default: 4096,
  description: "Largest maxOutputTokens an agent may set (16 to 16384)",
});
export const maxContextTokens = defineInt("MAX_CONTEXT_TOKENS", {
  default: 32000,
  description: "Largest contextBudgetTokens an agent may set (1000 to 1000000)",
});

// Payments (platform/payments): Stripe, when its secret key is set. Deploying needs both secrets to exist: set
// them to the literal `none` to run without payments (billing on credits alone). A function reads them only
// when they are bound to it (`secrets: [stripeSecretKey, stripeWebhookSecret]`).
export const stripeSecretKey = defineSecret("STRIPE_SECRET_KEY");
export const stripeWebhookSecret = defineSecret("STRIPE_WEBHOOK_SECRET");
export const stripeApiUrl = defineString("STRIPE_API_URL", {
  default: "",
  description: "Stripe API origin (empty for https://api.stripe.com)",
});
export const stripeMeterEventName = defineString("STRIPE_METER_EVENT_NAME", {
  default: "alchemist_usage",
  description: "event_name of the Stripe billing meter usage is reported to",
});
export const stripeMeterId = defineString("STRIPE_METER_ID", {
  default: "",
  description: "The Stripe billing meter (mtr_...) whose totals billing reads (empty: none)",
});

// Monitor (monitor/, platform/metrics). The operator token guards /metrics, /health?deep=1 and the operator's
// routes; deploying needs the secret to exist: `none` turns those routes off (they answer 404).
export const monitorOperatorToken = defineSecret("MONITOR_OPERATOR_TOKEN");
export const metricsEnabled = defineString("METRICS_ENABLED", {
  default: "true",
  description: "Per-minute metrics of requests, turns, model calls and tasks (false: none are measured)",
});
export const metricsFlushSeconds = defineInt("METRICS_FLUSH_SECONDS", {
  default: 10,
  description: "How often each instance writes the minutes it measured (1 to 60 seconds)",
});
export const studioUrl = defineString("STUDIO_URL", {
  default: "",
  description: "The studio's origin, linked from alert notifications (empty: no link)",
});
