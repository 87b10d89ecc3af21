/**
 * The one config module. In Firebase mode, params (`defineString`/`defineInt`) and bound secrets
 * (`defineSecret`) reach the function as environment variables (see params.ts); in local mode the
 * environment is read directly. Either way every setting is read here and nowhere else.
 */
import path from "node:path";
import { z } from "zod";
import { parseAllowedHosts, type EgressPolicy } from "./egress/destination.js";

export type RunMode = "local" | "firebase";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** A positive whole number, or unset (empty counts as unset: a param's empty default). */
const optionalCount = optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).optional());

/** A secret must exist to deploy; `none` lets Firebase mode run on the built-in local providers. */
const optionalSecret = optionalString.transform((v) =>
  v === undefined || v.toLowerCase() === "none" ? undefined : v,
);

/** A Stripe secret: checked by its prefix only, so a message never repeats (part of) the value. */
const stripeSecret = (prefixes: readonly string[], what: string) =>
  optionalSecret.refine((v) => v === undefined || prefixes.some((p) => v.startsWith(p)), {
    message: `must be ${what} (${prefixes.map((p) => `${p}...`).join(" or ")}), or \`none\``,
  });

/** Where the Stripe SDK sends requests: an origin only, since the SDK puts `/v1/...` after the host itself. */
const stripeApiUrl = optionalString
  .refine(
    (v) => {
      if (v === undefined) return true;
      try {
        const url = new URL(v);
        return (
          (url.protocol === "https:" || url.protocol === "http:") &&
          url.pathname === "/" &&
          url.search === "" &&
          url.username === "" &&
          url.password === ""
        );
      } catch {
        return false;
      }
    },
    { message: "must be an http(s) origin without a path, such as https://api.stripe.com" },
  )
  .transform((v) => (v === undefined ? undefined : new URL(v).origin));

const envSchema = z.object({
  ALCHEMIST_MODE: z.enum(["local", "firebase"]).default("firebase"),
  ALCHEMIST_API_KEY: optionalString,
  ALCHEMIST_SESSION_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: "must be at least 32 characters (e.g. `openssl rand -base64 32`)",
  }),
  PLATFORM_ADMINS: optionalString,
  OPERATOR_REQUIRE_MFA: optionalString.pipe(z.enum(["true", "false"]).optional()),
  OPENAI_API_KEY: optionalSecret,
  OPENAI_BASE_URL: optionalString,
  CHAT_MODEL: z.string().default("gpt-4o-mini"),
  /** A speech-to-text model of the OpenAI-compatible API (e.g. whisper-1): voice messages are transcribed. */
  TRANSCRIPTION_MODEL: optionalString,
  EMBEDDING_MODEL: z.string().default("text-embedding-3-small"),
  EMBEDDING_DIMENSIONS: z.coerce.number().int().min(8).max(2048).default(256),
  MODEL_TIMEOUT_MS: z.coerce.number().int().min(1000).default(60_000),
  MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(25 * 1024 * 1024),
  MAX_JSON_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  RATE_LIMIT_PER_KEY: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_PER_KEY_BURST: optionalCount,
  RATE_LIMIT_PER_TENANT: z.coerce.number().int().min(0).default(3000),
  RATE_LIMIT_PER_TENANT_BURST: optionalCount,
  RATE_LIMIT_PUBLIC_PER_IP: z.coerce.number().int().min(0).default(60),
  RATE_LIMIT_PUBLIC_PER_IP_BURST: optionalCount,
  RATE_LIMIT_WIDGET_PER_USER: z.coerce.number().int().min(0).default(60),
  RATE_LIMIT_WIDGET_PER_USER_BURST: optionalCount,
  RATE_LIMIT_WIDGET_PER_KEY: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_WIDGET_PER_KEY_BURST: optionalCount,
  RATE_LIMIT_UPLOAD_MB_PER_MINUTE: z.coerce.number().min(0).default(300),
  RATE_LIMIT_UPLOAD_MB_BURST: optionalCount,
  MAX_UPLOAD_FILES: z.coerce.number().int().min(1).max(10_000).default(1000),
  PARSE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(240),
  PARSE_MEMORY_MB: z.coerce.number().int().min(32).max(16_384).default(1024),
  ALLOWED_ORIGINS: optionalString,
  TOOL_ALLOWED_HOSTS: optionalString,
  /** How long an end user has to confirm a tool's write (a transfer) before the request expires. */
  TOOL_CONFIRMATION_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(600),
  MCP_ALLOWED_HOSTS: optionalString,
  ALCHEMIST_SECRETS_KEY: optionalSecret,
  /** Payments (platform/payments): Stripe when its secret key is set; unset or `none`, credits alone. */
  STRIPE_SECRET_KEY: stripeSecret(["sk_", "rk_"], "a secret or restricted key"),
  STRIPE_WEBHOOK_SECRET: stripeSecret(["whsec_"], "the webhook endpoint's signing secret"),
  STRIPE_API_URL: stripeApiUrl,
  STRIPE_METER_EVENT_NAME: optionalString.transform((v) => v ?? "alchemist_usage"),
  STRIPE_METER_ID: optionalString,
  WHATSAPP_GRAPH_URL: z.string().url("must be a URL").default("https://graph.facebook.com"),
  WHATSAPP_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, "must be a Graph API version such as v23.0")
    .default("v23.0"),
  /** Set by firebase-tools' Functions emulator. */
  FUNCTIONS_EMULATOR: optionalString,
  ALCHEMIST_EGRESS_ALLOW_LOOPBACK: optionalString.pipe(z.enum(["true", "false"]).optional()),
  /** The operator's bearer token for `GET /metrics` and `GET /health?deep=1`; unset, both answer 404. */
  MONITOR_OPERATOR_TOKEN: optionalSecret.pipe(
    z
      .string()
      .min(24, "must be at least 24 characters (e.g. `openssl rand -base64 32`), or `none`")
      .optional(),
  ),
  METRICS_ENABLED: z.enum(["true", "false"]).default("true"),
  METRICS_FLUSH_SECONDS: z.coerce.number().int().min(1).max(60).default(10),
  /** Where alert notifications link to: the studio's origin (e.g. `https://alchemist.example.com`). */
  STUDIO_URL: optionalString.pipe(z.string().url("must be a URL").optional()),
  ALLOWED_CHAT_MODELS: optionalString,
  MAX_OUTPUT_TOKENS: z.coerce.number().int().min(16).max(16_384).default(4096),
  MAX_CONTEXT_TOKENS: z.coerce.number().int().min(1000).max(1_000_000).default(32_000),
  GCLOUD_PROJECT: optionalString,
  FIREBASE_CONFIG: optionalString,
  FUNCTIONS_REGION: z.string().default("us-central1"),
});

/**
 * What only the local host reads: where it listens and keeps its data. Validated in local mode only. Firebase
 * mode never reads them, and the platform that runs the functions sets some of them for its own purposes (the
 * Functions emulator sets `PORT` to a value that is not a port number), so they must not stop it from starting.
 */
const localEnvSchema = z.object({
  ALCHEMIST_DATA_DIR: optionalString,
  PORT: z.coerce
    .number({ error: "must be a port number (0-65535)" })
    .int("must be a port number (0-65535)")
    .min(0, "must be a port number (0-65535)")
    .max(65535, "must be a port number (0-65535)")
    .default(8787),
  HOST: z.string().default("127.0.0.1"),
  ALCHEMIST_SQLITE_SYNC: z.enum(["NORMAL", "FULL"]).default("NORMAL"),
  LOCAL_MODELS_DIR: optionalString,
  ALCHEMIST_MCP_STDIO_ALLOW: optionalString,
});

/** One stdio MCP server the operator lets tool sets launch (`stdio:<name>`), as `ALCHEMIST_MCP_STDIO_ALLOW` names it. */
const stdioServerSchema = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Added to the few variables the server inherits (PATH, HOME...): never the platform's own secrets. */
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
  })
  .strict();
export type StdioServerSetting = z.infer<typeof stdioServerSchema>;

/** `{"files": {"command": "node", "args": ["/srv/files-server.js"]}}`: names as tool names allow them. */
function parseStdioAllowList(text: string | undefined): Record<string, StdioServerSetting> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(
      'Invalid configuration: ALCHEMIST_MCP_STDIO_ALLOW: not JSON (e.g. {"files": {"command": "node"}})',
    );
  }
  const parsed = z.record(z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/), stdioServerSchema).safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ALCHEMIST_MCP_STDIO_ALLOW: ${problems}`);
  }
  return parsed.data;
}

/** The local host's own settings (local mode only). */
export interface LocalHostSettings {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  /** Local mode's SQLite durability: NORMAL survives crashes, FULL power cuts too (slower writes). */
  readonly sqliteSync: "NORMAL" | "FULL";
  /**
   * A folder of ONNX models this instance runs itself (`embedder/`, `reranker/`; see the README's "Local
   * models"). Unset: the built-in models. Nothing is ever downloaded.
   */
  readonly modelsDir: string | undefined;
  /** Stdio MCP servers tool sets may launch by name (`stdio:<name>`); none unless the operator lists them. */
  readonly mcpStdio: Readonly<Record<string, StdioServerSetting>>;
}

/** A token bucket: refills continuously at `rate` tokens per second, holds at most `burst`. */
export interface BucketLimit {
  readonly rate: number;
  readonly burst: number;
}

/** The settings both modes read. */
export interface PlatformConfig {
  readonly mode: RunMode;
  readonly projectId: string;
  readonly region: string;
  readonly bootstrapApiKey: string | undefined;
  /**
   * HMAC key of local mode's session tokens. Unset: a random one is generated once and kept in the data
   * folder (identity/sessions.ts). Set it to share sessions between processes over different folders.
   */
  readonly sessionSecret: string | undefined;
  readonly openai: {
    readonly apiKey: string | undefined;
    readonly baseURL: string | undefined;
    readonly chatModel: string;
    readonly embeddingModel: string;
    readonly timeoutMs: number;
    readonly maxRetries: number;
  };
  /** The OpenAI-compatible API's speech-to-text model; unset, voice messages are not transcribed. */
  readonly transcriptionModel: string | undefined;
  readonly embeddingDimensions: number;
  readonly limits: {
    readonly maxUploadBytes: number;
    readonly maxJsonBytes: number;
    /** Files in one multipart upload request. */
    readonly maxUploadFiles: number;
  };
  /** Hard limits of reading one uploaded document, enforced on the worker thread that reads it. */
  readonly parse: {
    readonly timeoutMs: number;
    readonly memoryMb: number;
  };
  /** Request rate limits (see rate-limit.ts); `undefined` when set to 0 (off). */
  readonly rateLimits: {
    /** Per credential: an API key, or a signed-in account. */
    readonly perKey: BucketLimit | undefined;
    readonly perTenant: BucketLimit | undefined;
    /** Per client IP, on public POST routes (sign-in and the like). */
    readonly publicPerIp: BucketLimit | undefined;
    /** Bytes uploaded per tenant (uploads are charged by size, not by request). */
    readonly uploadBytes: BucketLimit | undefined;
    /** Per end user of a web chat widget (messages and reading their conversation). */
    readonly widgetPerUser: BucketLimit | undefined;
    /** Per web chat widget key: the turns of all its end users together. */
    readonly widgetPerKey: BucketLimit | undefined;
  };
  /** Browser origins the API answers CORS requests from (exact `scheme://host[:port]`, or `*` for any). */
  readonly allowedOrigins: readonly string[];
  /** Where requests to tenant-chosen destinations (HTTP tools) may go: see platform/egress. */
  readonly egress: EgressPolicy;
  /** How long a write tool's confirmation request stays open (TOOL_CONFIRMATION_TTL_SECONDS). */
  readonly toolConfirmationTtlMs: number;
  /**
   * The `Host` names the MCP endpoint answers (DNS-rebinding protection): lower-case host names, `*.suffix`
   * for the names below one, or `*` for any. Ports are not compared.
   */
  readonly mcpAllowedHosts: readonly string[];
  /**
   * The operator key that seals secrets tenants hand over (WhatsApp tokens): base64url, at least 32 bytes.
   * Unset in local mode: a key made once in the data folder (`secrets-key`).
   */
  readonly secretsKey: string | undefined;
  /** The WhatsApp Cloud API (Meta's Graph API): where, and which version. */
  readonly whatsapp: { readonly graphUrl: string; readonly graphVersion: string };
  /** Stripe (platform/payments). Without a secret key there are no payments: billing runs on credits alone. */
  readonly stripe: {
    readonly secretKey: string | undefined;
    /** Verifies webhook deliveries (`whsec_...`); always set when `secretKey` is. */
    readonly webhookSecret: string | undefined;
    /** The API's origin; unset, Stripe's own (`https://api.stripe.com`). Tests point it at a fake server. */
    readonly apiUrl: string | undefined;
    /** The `event_name` of the billing meter usage is reported to. */
    readonly meterEventName: string;
    /** The billing meter (`mtr_...`) whose totals billing reads; unset, none is read. */
    readonly meterId: string | undefined;
  };
  /**
   * Local mode's platform operators: the emails of accounts that may use the operator routes
   * (`PLATFORM_ADMINS`, comma-separated, compared lowercased). Firebase mode uses the `platformAdmin` custom
   * claim instead and ignores this list.
   */
  readonly platformAdmins: readonly string[];
  /**
   * Operators must have signed in with a second factor to use the operator routes (`OPERATOR_REQUIRE_MFA`).
   * Off by default (the local demo's operator has none); recommended for any installation others use.
   */
  readonly operatorRequiresMfa: boolean;
  /** Monitor (monitor/, platform/metrics). */
  readonly monitor: {
    /** The bearer token `GET /metrics` and `GET /health?deep=1` require; unset, they answer 404. */
    readonly operatorToken: string | undefined;
    /** Per-minute metrics on (the default); off, nothing is measured (the bench's baseline). */
    readonly metricsEnabled: boolean;
    readonly flushEveryMs: number;
    /** The studio's origin, for links in alert notifications; null: none. */
    readonly studioUrl: string | null;
  };
  /** What agents may ask of the operator's model account; checked on save, clamped at turn time. */
  readonly modelCaps: {
    /** Model names an agent may pick; always includes the platform's chat model. */
    readonly allowedChatModels: readonly string[];
    readonly maxOutputTokens: number;
    readonly maxContextTokens: number;
  };
  readonly version: string;
}

export interface FirebaseModeConfig extends PlatformConfig {
  readonly mode: "firebase";
}

export interface LocalModeConfig extends PlatformConfig {
  readonly mode: "local";
  readonly local: LocalHostSettings;
}

/** The settings of this process; the local host's own (`local`) exist in local mode only. */
export type Config = FirebaseModeConfig | LocalModeConfig;

export const platformVersion = "0.1.0";

function projectFrom(env: z.infer<typeof envSchema>): string {
  if (env.GCLOUD_PROJECT) return env.GCLOUD_PROJECT;
  if (env.FIREBASE_CONFIG) {
    try {
      const parsed = JSON.parse(env.FIREBASE_CONFIG) as { projectId?: string };
      if (parsed.projectId) return parsed.projectId;
    } catch {
      // FIREBASE_CONFIG may also be a path; the project id then comes from GCLOUD_PROJECT.
    }
  }
  return "demo-alchemist";
}

/** `perMinute` requests a minute; the burst defaults to a fifth of that (12 s of traffic). */
function bucketLimit(perMinute: number, burst: number | undefined): BucketLimit | undefined {
  if (perMinute === 0) return undefined;
  return { rate: perMinute / 60, burst: burst ?? Math.max(1, Math.ceil(perMinute / 5)) };
}

const mb = 1024 * 1024;

/**
 * Megabytes a minute uploaded per tenant, as a byte bucket. The burst defaults to a third of a minute's worth
 * (100 MB at the default 300), and never below the largest single upload, which must always fit.
 */
function uploadBudget(
  mbPerMinute: number,
  burstMb: number | undefined,
  maxUploadBytes: number,
): BucketLimit | undefined {
  if (mbPerMinute === 0) return undefined;
  const burst = Math.max(
    burstMb !== undefined ? burstMb * mb : Math.ceil((mbPerMinute * mb) / 3),
    maxUploadBytes,
  );
  return { rate: (mbPerMinute * mb) / 60, burst };
}

/** An origin as browsers send it: lower-case scheme and host, no path or trailing slash. */
export function normalizeOrigin(origin: string): string {
  const trimmed = origin.trim().replace(/\/+$/, "");
  if (trimmed === "*") return trimmed;
  try {
    const url = new URL(trimmed);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
    return url.origin;
  } catch {
    throw new Error(
      `Invalid configuration: ALLOWED_ORIGINS: "${trimmed}" is not an origin like https://app.example.com`,
    );
  }
}

/**
 * Unset, the API serves its own pages only: the project's Hosting sites in Firebase mode (the studio
 * reaches the API through a Hosting rewrite, same origin), the runtime's own address in local mode.
 */
function allowedOrigins(
  env: z.infer<typeof envSchema>,
  projectId: string,
  local: LocalHostSettings | undefined,
): string[] {
  if (env.ALLOWED_ORIGINS !== undefined) {
    return [
      ...new Set(
        env.ALLOWED_ORIGINS.split(",")
          .filter((o) => o.trim() !== "")
          .map(normalizeOrigin),
      ),
    ];
  }
  if (local) return [`http://127.0.0.1:${local.port}`, `http://localhost:${local.port}`];
  return [`https://${projectId}.web.app`, `https://${projectId}.firebaseapp.com`];
}

const loopbackNames = ["localhost", "127.0.0.1", "[::1]"];

/**
 * Default MCP hosts: loopback names, plus the bound address when local mode listens beyond loopback; in
 * Firebase mode the Hosting sites, Cloud Functions and Cloud Run hosts (and loopback under the emulator);
 * and the hosts of the allowed origins.
 */
function mcpAllowedHosts(
  env: z.infer<typeof envSchema>,
  projectId: string,
  local: LocalHostSettings | undefined,
  origins: readonly string[],
): string[] {
  if (env.MCP_ALLOWED_HOSTS !== undefined) return commaList(env.MCP_ALLOWED_HOSTS.toLowerCase());
  const fromOrigins = origins.flatMap((o) => {
    try {
      return o === "*" ? [] : [new URL(o).hostname.toLowerCase()];
    } catch {
      return [];
    }
  });
  const hosts = local
    ? [...loopbackNames, ...(loopbackNames.includes(local.host) || local.host === "::1" ? [] : [local.host])]
    : [
        `${projectId}.web.app`,
        `${projectId}.firebaseapp.com`,
        "*.cloudfunctions.net",
        "*.run.app",
        ...(env.FUNCTIONS_EMULATOR === "true" ? loopbackNames : []),
      ];
  return [...new Set([...hosts, ...fromOrigins].map((h) => h.toLowerCase()))];
}

/** A comma-separated setting as a list, or `undefined` when unset or empty. */
function listSetting(
  name: string,
  text: string | undefined,
  parse: (text: string) => string[],
): string[] | undefined {
  if (text === undefined) return undefined;
  try {
    const list = parse(text);
    return list.length === 0 ? undefined : list;
  } catch (e) {
    throw new Error(`Invalid configuration: ${name}: ${(e as Error).message}`);
  }
}

const commaList = (text: string): string[] => [
  ...new Set(
    text
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== ""),
  ),
];

/** The environment checked against `schema`; every problem is named in one error. */
function parseEnv<T extends z.ZodType>(schema: T, source: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

/** A secret key alone would take payments whose webhooks could never be verified: refused at load. */
function stripeSettings(env: z.infer<typeof envSchema>): PlatformConfig["stripe"] {
  if (env.STRIPE_SECRET_KEY !== undefined && env.STRIPE_WEBHOOK_SECRET === undefined) {
    throw new Error(
      "Invalid configuration: STRIPE_WEBHOOK_SECRET: must be set when STRIPE_SECRET_KEY is (the signing secret " +
        "of the webhook endpoint, whsec_...); set STRIPE_SECRET_KEY to `none` to run without payments",
    );
  }
  return {
    secretKey: env.STRIPE_SECRET_KEY,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    apiUrl: env.STRIPE_API_URL,
    meterEventName: env.STRIPE_METER_EVENT_NAME,
    meterId: env.STRIPE_METER_ID,
  };
}

function localHostSettings(source: NodeJS.ProcessEnv): LocalHostSettings {
  const env = parseEnv(localEnvSchema, source);
  return {
    dataDir: path.resolve(env.ALCHEMIST_DATA_DIR ?? path.join("emulator-data", "local")),
    port: env.PORT,
    host: env.HOST,
    sqliteSync: env.ALCHEMIST_SQLITE_SYNC,
    modelsDir: env.LOCAL_MODELS_DIR === undefined ? undefined : path.resolve(env.LOCAL_MODELS_DIR),
    mcpStdio: parseStdioAllowList(env.ALCHEMIST_MCP_STDIO_ALLOW),
  };
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = parseEnv(envSchema, source);
  const local = env.ALCHEMIST_MODE === "local" ? localHostSettings(source) : undefined;
  const projectId = projectFrom(env);
  const shared: PlatformConfig = {
    mode: env.ALCHEMIST_MODE,
    projectId,
    region: env.FUNCTIONS_REGION,
    bootstrapApiKey: env.ALCHEMIST_API_KEY,
    sessionSecret: env.ALCHEMIST_SESSION_SECRET,
    platformAdmins: commaList((env.PLATFORM_ADMINS ?? "").toLowerCase()),
    operatorRequiresMfa: env.OPERATOR_REQUIRE_MFA === "true",
    openai: {
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      chatModel: env.CHAT_MODEL,
      embeddingModel: env.EMBEDDING_MODEL,
      timeoutMs: env.MODEL_TIMEOUT_MS,
      maxRetries: env.MODEL_MAX_RETRIES,
    },
    transcriptionModel: env.TRANSCRIPTION_MODEL,
    embeddingDimensions: env.EMBEDDING_DIMENSIONS,
    limits: {
      maxUploadBytes: env.MAX_UPLOAD_BYTES,
      maxJsonBytes: env.MAX_JSON_BYTES,
      maxUploadFiles: env.MAX_UPLOAD_FILES,
    },
    parse: { timeoutMs: env.PARSE_TIMEOUT_SECONDS * 1000, memoryMb: env.PARSE_MEMORY_MB },
    rateLimits: {
      perKey: bucketLimit(env.RATE_LIMIT_PER_KEY, env.RATE_LIMIT_PER_KEY_BURST),
      perTenant: bucketLimit(env.RATE_LIMIT_PER_TENANT, env.RATE_LIMIT_PER_TENANT_BURST),
      publicPerIp: bucketLimit(env.RATE_LIMIT_PUBLIC_PER_IP, env.RATE_LIMIT_PUBLIC_PER_IP_BURST),
      widgetPerUser: bucketLimit(env.RATE_LIMIT_WIDGET_PER_USER, env.RATE_LIMIT_WIDGET_PER_USER_BURST),
      widgetPerKey: bucketLimit(env.RATE_LIMIT_WIDGET_PER_KEY, env.RATE_LIMIT_WIDGET_PER_KEY_BURST),
      uploadBytes: uploadBudget(
        env.RATE_LIMIT_UPLOAD_MB_PER_MINUTE,
        env.RATE_LIMIT_UPLOAD_MB_BURST,
        env.MAX_UPLOAD_BYTES,
      ),
    },
    allowedOrigins: allowedOrigins(env, projectId, local),
    mcpAllowedHosts: mcpAllowedHosts(env, projectId, local, allowedOrigins(env, projectId, local)),
    secretsKey: env.ALCHEMIST_SECRETS_KEY,
    whatsapp: {
      graphUrl: env.WHATSAPP_GRAPH_URL.replace(/\/+$/, ""),
      graphVersion: env.WHATSAPP_GRAPH_VERSION,
    },
    stripe: stripeSettings(env),
    toolConfirmationTtlMs: env.TOOL_CONFIRMATION_TTL_SECONDS * 1000,
    egress: {
      allowedHosts: listSetting("TOOL_ALLOWED_HOSTS", env.TOOL_ALLOWED_HOSTS, parseAllowedHosts),
      allowLoopback: env.ALCHEMIST_EGRESS_ALLOW_LOOPBACK === "true",
    },
    monitor: {
      operatorToken: env.MONITOR_OPERATOR_TOKEN,
      metricsEnabled: env.METRICS_ENABLED === "true",
      flushEveryMs: env.METRICS_FLUSH_SECONDS * 1000,
      studioUrl: env.STUDIO_URL?.replace(/\/+$/, "") ?? null,
    },
    modelCaps: {
      // The platform's own model is what `model.name: null` uses: naming it is always allowed.
      allowedChatModels: [
        ...new Set([
          env.CHAT_MODEL,
          ...(listSetting("ALLOWED_CHAT_MODELS", env.ALLOWED_CHAT_MODELS, commaList) ?? []),
        ]),
      ],
      maxOutputTokens: env.MAX_OUTPUT_TOKENS,
      maxContextTokens: env.MAX_CONTEXT_TOKENS,
    },
    version: platformVersion,
  };
  return local ? { ...shared, mode: "local", local } : { ...shared, mode: "firebase" };
}
