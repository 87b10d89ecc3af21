/**
 * The ports a service receives. `process-deps.ts` holds the ones this process opened; the adapters that
 * fill them live in `platform/firebase` (Firebase mode) and in the local workspace (local mode).
 */
import type { Role } from "./caller.js";
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
  Reranker,
  TaskQueue,
  SpeechToText,
  Payments,
  FineTuning,
} from "./ports.js";

/** Verifies a Firebase Auth ID token (Firebase mode); local mode has API keys and, later, local sessions. */
export interface IdTokenVerifier {
  verify(token: string): Promise<{ uid: string; claims: Record<string, unknown> }>;
}

/** The tenant claims of a Firebase Auth user: what firestore.rules and `callerFromClaims` read. */
export interface TenantClaims {
  readonly tenantId: string;
  readonly role: Role;
}

export interface ClaimsSetter {
  /** The user's custom claims (empty when the user has none, or no longer exists). */
  get(uid: string): Promise<Record<string, unknown>>;
  /** Sets the tenant claims (other custom claims are kept); `null` clears them. */
  set(uid: string, claims: TenantClaims | null): Promise<void>;
  /** Revokes the user's refresh tokens: ID tokens issued before now are refused (`verifyIdToken(t, true)`). */
  revokeSessions(uid: string): Promise<void>;
  /**
   * Grants (or takes back) the platform operator's claim, `platformAdmin`, of the user with this email, keeping
   * their other claims; taking it back also revokes their sessions. Answers the user's uid.
   */
  setPlatformAdmin(email: string, on: boolean): Promise<string>;
}

export interface Deps {
  readonly config: Config;
  readonly store: DocStore;
  readonly blobs: BlobStore;
  readonly tasks: TaskQueue;
  readonly keywords: KeywordIndex;
  readonly chat: ChatModel;
  readonly embedder: Embedder;
  /** A cross-encoder that reorders search candidates (local mode's LOCAL_MODELS_DIR); absent: none runs. */
  readonly reranker?: Reranker;
  /** Transcribes voice messages, when the operator configures a speech model (TRANSCRIPTION_MODEL). */
  readonly speech?: SpeechToText;
  /** Fine-tuning jobs at the OpenAI-compatible provider, when one is configured with a key (OPENAI_API_KEY). */
  readonly fineTuning?: FineTuning;
  /** Requests to destinations a tenant chose (HTTP tools): public hosts only (platform/egress). */
  readonly egress: Egress;
  /** Stripe, when STRIPE_SECRET_KEY is set; absent, billing runs on credits alone. */
  readonly payments?: Payments;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly idTokens?: IdTokenVerifier;
  /** Firebase mode: the custom claims that carry a user's tenant and role (local mode has none). */
  readonly claims?: ClaimsSetter;
}
