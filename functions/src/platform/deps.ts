/**
 * The ports a service receives, assembled once per process for the mode it runs in. Adapters are
 * imported lazily: a Firebase cold start never loads SQLite, and local mode never loads firebase-admin.
 */
import { loadConfig, type Config } from "./config.js";
import type {
  BlobStore,
  ChatModel,
  Clock,
  DocStore,
  Egress,
  Embedder,
  Ids,
  KeywordIndex,
  TaskQueue,
} from "./ports.js";

/** Verifies a Firebase Auth ID token (Firebase mode); local mode has API keys and, later, local sessions. */
export interface IdTokenVerifier {
  verify(token: string): Promise<{ uid: string; claims: Record<string, unknown> }>;
}

export interface Deps {
  readonly config: Config;
  readonly store: DocStore;
  readonly blobs: BlobStore;
  readonly tasks: TaskQueue;
  readonly keywords: KeywordIndex;
  readonly chat: ChatModel;
  readonly embedder: Embedder;
  /** Requests to destinations a tenant chose (HTTP tools): public hosts only (platform/egress). */
  readonly egress: Egress;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly idTokens?: IdTokenVerifier;
}

let current: Promise<Deps> | undefined;

export function getDeps(): Promise<Deps> {
  current ??= build(loadConfig()).catch((e: unknown) => {
    current = undefined; // a failed start (e.g. a bad setting) is retried on the next request
    throw e;
  });
  return current;
}

/** The local runtime and tests install the deps they opened themselves. */
export function setDeps(deps: Deps | undefined): void {
  current = deps ? Promise.resolve(deps) : undefined;
}

async function build(config: Config): Promise<Deps> {
  if (config.mode === "local") {
    const { openLocalDeps } = await import("./local/deps.js");
    return openLocalDeps(config);
  }
  const { openFirebaseDeps } = await import("./firebase/deps.js");
  return openFirebaseDeps(config);
}
