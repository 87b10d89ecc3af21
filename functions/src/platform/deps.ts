/**
 * The ports a service receives. `process-deps.ts` holds the ones this process opened; the adapters that
 * fill them live in `platform/firebase` (Firebase mode) and in the local workspace (local mode).
 */
import type { Config } from "./config.js";
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
