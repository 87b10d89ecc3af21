/**
 * The one config module. In Firebase mode, params (`defineString`/`defineInt`) and bound secrets
 * (`defineSecret`) reach the function as environment variables (see params.ts); in local mode the
 * environment is read directly. Either way every setting is read here and nowhere else.
 */
import path from "node:path";
import { z } from "zod";

export type RunMode = "local" | "firebase";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** A secret must exist to deploy; `none` lets Firebase mode run on the built-in local providers. */
const optionalSecret = optionalString.transform((v) =>
  v === undefined || v.toLowerCase() === "none" ? undefined : v,
);

const envSchema = z.object({
  ALCHEMIST_MODE: z.enum(["local", "firebase"]).default("firebase"),
  ALCHEMIST_DATA_DIR: optionalString,
  ALCHEMIST_API_KEY: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default("127.0.0.1"),
  ALCHEMIST_SQLITE_SYNC: z.enum(["NORMAL", "FULL"]).default("NORMAL"),
  OPENAI_API_KEY: optionalSecret,
  OPENAI_BASE_URL: optionalString,
  CHAT_MODEL: z.string().default("gpt-4o-mini"),
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
  GCLOUD_PROJECT: optionalString,
  FIREBASE_CONFIG: optionalString,
  FUNCTIONS_REGION: z.string().default("us-central1"),
});

export interface Config {
  readonly mode: RunMode;
  readonly projectId: string;
  readonly region: string;
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  /** Local mode's SQLite durability: NORMAL survives crashes, FULL power cuts too (slower writes). */
  readonly sqliteSync: "NORMAL" | "FULL";
  readonly bootstrapApiKey: string | undefined;
  readonly openai: {
    readonly apiKey: string | undefined;
    readonly baseURL: string | undefined;
    readonly chatModel: string;
    readonly embeddingModel: string;
    readonly timeoutMs: number;
    readonly maxRetries: number;
  };
  readonly embeddingDimensions: number;
  readonly limits: { readonly maxUploadBytes: number; readonly maxJsonBytes: number };
  readonly version: string;
}

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

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const env = parsed.data;
  return {
    mode: env.ALCHEMIST_MODE,
    projectId: projectFrom(env),
    region: env.FUNCTIONS_REGION,
    dataDir: path.resolve(env.ALCHEMIST_DATA_DIR ?? path.join("emulator-data", "local")),
    port: env.PORT,
    host: env.HOST,
    sqliteSync: env.ALCHEMIST_SQLITE_SYNC,
    bootstrapApiKey: env.ALCHEMIST_API_KEY,
    openai: {
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      chatModel: env.CHAT_MODEL,
      embeddingModel: env.EMBEDDING_MODEL,
      timeoutMs: env.MODEL_TIMEOUT_MS,
      maxRetries: env.MODEL_MAX_RETRIES,
    },
    embeddingDimensions: env.EMBEDDING_DIMENSIONS,
    limits: { maxUploadBytes: env.MAX_UPLOAD_BYTES, maxJsonBytes: env.MAX_JSON_BYTES },
    version: platformVersion,
  };
}
