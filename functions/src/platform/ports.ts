/**
 * The ports every domain service depends on. Adapters live in `platform/firebase` (firebase-admin,
 * Cloud Storage, Cloud Tasks) and the `local/` workspace (SQLite, files on disk, a durable queue); model
 * providers live in `platform/models`. A service receives them in a `Deps` object and never imports
 * an adapter, which is what lets one service run in both modes and be tested against real local stores.
 */

// ---------------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------------

export type DocData = Record<string, unknown>;

export interface DocSnapshot<T = DocData> {
  /** Full document path, e.g. `tenants/t1/agents/a1`. */
  readonly path: string;
  readonly id: string;
  readonly data: T;
  /** ISO-8601 times kept by the store. */
  readonly createTime: string;
  readonly updateTime: string;
}

/** A dense embedding stored in a document field; Firestore stores it as a vector value. */
export class VectorValue {
  readonly values: readonly number[];
  constructor(values: readonly number[]) {
    if (values.length === 0 || values.length > 2048) {
      // Firestore's limit for indexed vectors: https://firebase.google.com/docs/firestore/vector-search
      throw new RangeError(`a vector needs 1..2048 dimensions, got ${values.length}`);
    }
    this.values = values;
  }
  toArray(): number[] {
    return [...this.values];
  }
}

export const vector = (values: readonly number[]): VectorValue => new VectorValue(values);

/** Write-time field transforms, mirrored on Firestore's `FieldValue`. */
export type FieldTransform =
  | { readonly __transform: "increment"; readonly by: number }
  | { readonly __transform: "delete" }
  | { readonly __transform: "arrayUnion"; readonly values: readonly unknown[] }
  | { readonly __transform: "arrayRemove"; readonly values: readonly unknown[] };

export const FieldOps = {
  increment: (by: number): FieldTransform => ({ __transform: "increment", by }),
  delete: (): FieldTransform => ({ __transform: "delete" }),
  arrayUnion: (...values: unknown[]): FieldTransform => ({ __transform: "arrayUnion", values }),
  arrayRemove: (...values: unknown[]): FieldTransform => ({ __transform: "arrayRemove", values }),
};

export function isFieldTransform(value: unknown): value is FieldTransform {
  return typeof value === "object" && value !== null && "__transform" in value;
}

export type WhereOp =
  "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not-in" | "array-contains" | "array-contains-any";

export interface Filter {
  /** A field path; dots address nested maps (`location.page`). */
  readonly field: string;
  readonly op: WhereOp;
  readonly value: unknown;
}

export interface OrderBy {
  readonly field: string;
  readonly direction?: "asc" | "desc";
}

/** Exactly one of `collection` (a full collection path) or `collectionGroup` (a collection id). */
export interface QuerySpec {
  readonly collection?: string;
  readonly collectionGroup?: string;
  readonly where?: readonly Filter[];
  readonly orderBy?: readonly OrderBy[];
  readonly limit?: number;
  /** Page after this document (the last one of the previous page). */
  readonly startAfter?: DocSnapshot<unknown>;
}

export type DistanceMeasure = "COSINE" | "EUCLIDEAN" | "DOT_PRODUCT";

export interface NearestSpec {
  readonly collection?: string;
  readonly collectionGroup?: string;
  /** Pre-filters applied before the nearest-neighbour search (Firestore needs a composite vector index). */
  readonly where?: readonly Filter[];
  readonly vectorField: string;
  readonly queryVector: readonly number[];
  /** At most 1000 (Firestore's limit). */
  readonly limit: number;
  readonly distanceMeasure: DistanceMeasure;
}

export interface NearestHit<T = DocData> extends DocSnapshot<T> {
  /** Distance as Firestore reports it: cosine distance in 0..2, euclidean, or the dot product (higher is nearer). */
  readonly distance: number;
}

export type ChangeType = "added" | "modified" | "removed";

export interface DocChange<T = DocData> {
  readonly type: ChangeType;
  readonly doc: DocSnapshot<T>;
}

export type Unsubscribe = () => void;

export interface Transaction {
  get<T = DocData>(path: string): Promise<DocSnapshot<T> | null>;
  query<T = DocData>(spec: QuerySpec): Promise<DocSnapshot<T>[]>;
  create(path: string, data: DocData): Transaction;
  set(path: string, data: DocData, options?: { merge?: boolean }): Transaction;
  update(path: string, patch: DocData): Transaction;
  delete(path: string): Transaction;
}

export interface WriteBatch {
  create(path: string, data: DocData): WriteBatch;
  set(path: string, data: DocData, options?: { merge?: boolean }): WriteBatch;
  update(path: string, patch: DocData): WriteBatch;
  delete(path: string): WriteBatch;
  /** Atomic. Firestore caps a batch at 500 writes; the adapters reject larger batches the same way. */
  commit(): Promise<void>;
}

export interface DocStore {
  get<T = DocData>(path: string): Promise<DocSnapshot<T> | null>;
  getAll<T = DocData>(paths: readonly string[]): Promise<(DocSnapshot<T> | null)[]>;
  /** Fails with `already-exists` if the document exists. */
  create(path: string, data: DocData): Promise<void>;
  set(path: string, data: DocData, options?: { merge?: boolean }): Promise<void>;
  /** Patch with top-level keys or dotted field paths. Fails with `not-found` if the document is missing. */
  update(path: string, patch: DocData): Promise<void>;
  /** Deleting a missing document is not an error. */
  delete(path: string): Promise<void>;
  /** Deletes a document and every document below it (sub-collections). */
  deleteRecursive(path: string): Promise<void>;
  query<T = DocData>(spec: QuerySpec): Promise<DocSnapshot<T>[]>;
  count(spec: QuerySpec): Promise<number>;
  findNearest<T = DocData>(spec: NearestSpec): Promise<NearestHit<T>[]>;
  /** Optimistic transaction: retried when a document it read changed before commit. Reads before writes. */
  runTransaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R>;
  batch(): WriteBatch;
  /** Live changes of one document (`{ doc }`) or of a query; the first call delivers the current state as `added`. */
  subscribe(
    target: { readonly doc: string } | QuerySpec,
    onChanges: (changes: DocChange[]) => void,
    onError?: (error: Error) => void,
  ): Unsubscribe;
}

// ---------------------------------------------------------------------------------------------------
// Keyword search
// ---------------------------------------------------------------------------------------------------

/** One text to index: `id` is unique in its scope; `group` lets a whole group (a document) be removed. */
export interface KeywordEntry {
  readonly id: string;
  readonly group: string;
  readonly text: string;
}

export interface KeywordHit {
  readonly id: string;
  /** BM25 (k1 = 1.2, b = 0.75) over the scope's entries: unbounded, higher is better. */
  readonly score: number;
}

/**
 * Full-text index with BM25 ranking, partitioned by scope (e.g. one knowledge base's chunks collection).
 * Local mode keeps terms in SQLite and an in-memory inverted index per scope; Firebase mode keeps term
 * lists on Firestore documents, fetches candidates with `array-contains-any` and scores them in memory.
 * Both tokenize with the same analyzer and score with the same BM25 formula.
 */
export interface KeywordIndex {
  /** Adds or replaces entries (idempotent). */
  upsert(scope: string, entries: readonly KeywordEntry[]): Promise<void>;
  remove(scope: string, ids: readonly string[]): Promise<void>;
  removeGroup(scope: string, group: string): Promise<void>;
  search(scope: string, query: string, limit: number): Promise<KeywordHit[]>;
  /**
   * How specific a text's terms are in the scope: the number of entries, and for each distinct analyzed
   * term of `text` (in order) how many entries hold it. What an answer's confidence weighs terms by.
   */
  termStats(scope: string, text: string): Promise<TermStats>;
}

export interface TermStats {
  readonly entries: number;
  readonly terms: readonly { readonly term: string; readonly df: number }[];
}

// ---------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------

export interface BlobInfo {
  readonly path: string;
  readonly size: number;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly md5: string;
  readonly updated: string;
}

export interface BlobStore {
  put(
    path: string,
    data: Uint8Array,
    options?: { contentType?: string; metadata?: Record<string, string> },
  ): Promise<BlobInfo>;
  get(path: string): Promise<{ data: Buffer; info: BlobInfo } | null>;
  stat(path: string): Promise<BlobInfo | null>;
  /** Deleting a missing blob is not an error. */
  delete(path: string): Promise<void>;
  list(prefix: string): Promise<BlobInfo[]>;
}

// ---------------------------------------------------------------------------------------------------
// Background work
// ---------------------------------------------------------------------------------------------------

export interface EnqueueOptions {
  /** Deduplication key: a second task with the same id on the same queue is dropped. */
  readonly id?: string;
  readonly delaySeconds?: number;
}

/**
 * Named queues; a queue is the deployed name of an `onTaskDispatched` function (e.g. `knowledge-embedChunks`).
 * Retries and backoff follow that function's `retryConfig`, in Cloud Tasks and in the local runner alike.
 */
/** How much work waits on one queue, and for how long. */
export interface QueueDepth {
  readonly queue: string;
  /** Tasks due now or later, not running. */
  readonly waiting: number;
  readonly running: number;
  /** How long the oldest task that is due has waited past its due time, seconds (0: none overdue). */
  readonly oldestDueAgeSeconds: number;
}

export interface TaskQueue {
  enqueue(queue: string, payload: unknown, options?: EnqueueOptions): Promise<{ enqueued: boolean }>;
  /**
   * Depth and age per queue. Local mode's queue knows them; Cloud Tasks' figures are in Cloud Monitoring
   * (`cloudtasks.googleapis.com/queue/depth`), not in the API firebase-admin speaks: absent there.
   */
  depths?(): Promise<QueueDepth[]>;
}

// ---------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------

export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** The raw JSON text the model produced; parse and validate before use. */
  readonly arguments: string;
}

export type ChatMessage =
  | { readonly role: "system" | "user"; readonly content: string }
  | { readonly role: "assistant"; readonly content: string; readonly toolCalls?: readonly ToolCall[] }
  | { readonly role: "tool"; readonly toolCallId: string; readonly content: string };

/** A retrieved passage offered to the model; `ref` is the marker the answer cites (`[1]`). */
export interface GroundingPassage {
  readonly ref: string;
  readonly text: string;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /** Overrides the provider's configured model for this request (an agent's own model choice). */
  readonly model?: string;
  readonly tools?: readonly ToolSpec[];
  readonly temperature?: number;
  readonly maxOutputTokens?: number;
  /**
   * The passages the answer must come from. Prompt-driven providers see them rendered in the messages;
   * the local extractive responder reads them here, because it answers only by quoting them.
   */
  readonly grounding?: { readonly passages: readonly GroundingPassage[] };
  readonly signal?: AbortSignal;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface ChatResult {
  readonly content: string;
  readonly toolCalls: readonly ToolCall[];
  readonly usage: TokenUsage;
  readonly finishReason: FinishReason;
  readonly model: string;
}

export type ChatStreamEvent =
  { readonly type: "delta"; readonly text: string } | { readonly type: "done"; readonly result: ChatResult };

export interface ModelInfo {
  /** `local-extractive` quotes retrieved passages and never generates text; `openai-compatible` calls an API. */
  readonly provider: "local-extractive" | "openai-compatible";
  readonly model: string;
  /** How the UI and API name it, honestly. */
  readonly label: string;
}

export interface ChatModel {
  readonly info: ModelInfo;
  complete(request: ChatRequest): Promise<ChatResult>;
  /** Emits text deltas, then exactly one `done` event with the full result. */
  stream(request: ChatRequest): AsyncIterable<ChatStreamEvent>;
  /**
   * A call that proves the provider answers without generating anything for anyone (a paid provider's model
   * list; the built-in responder answers a one-word question in-process). Absent: the monitor cannot check it.
   */
  ping?(): Promise<void>;
}

export interface EmbedderInfo {
  /** `local-onnx`: a model from the instance's LOCAL_MODELS_DIR, run in process (local mode only). */
  readonly provider: "local-hash" | "local-onnx" | "openai-compatible";
  readonly model: string;
  readonly dimensions: number;
  /** Changes whenever vectors from two versions must not be mixed. */
  readonly version: string;
  readonly label: string;
}

export interface Embedder {
  readonly info: EmbedderInfo;
  /** The most texts one `embed` call accepts; callers batch to it. */
  readonly maxBatchSize: number;
  /** Unit-length vectors of `info.dimensions`, one per text, in order. */
  embed(texts: readonly string[], options?: { kind?: "query" | "document" }): Promise<number[][]>;
}

export interface RerankerInfo {
  readonly provider: "local-onnx";
  readonly model: string;
  /** How the UI and API name it, honestly. */
  readonly label: string;
}

/**
 * Scores how well each passage answers a query, reading both together (a cross-encoder). Optional: with none,
 * search orders by its keyword and vector signals alone.
 */
export interface Reranker {
  readonly info: RerankerInfo;
  /** The most passages one `score` call accepts; callers batch to it. */
  readonly maxBatchSize: number;
  /** One relevance logit per passage, in order: higher is more relevant; comparable within one query only. */
  score(query: string, passages: readonly string[]): Promise<number[]>;
}

/**
 * Speech to text (a WhatsApp voice note): optional, configured by the operator. With none, channels say plainly
 * that they cannot listen to voice messages.
 */
export interface SpeechToText {
  readonly info: { readonly provider: string; readonly model: string; readonly label: string };
  /** The words spoken in `audio` (a file of `mimeType`, e.g. audio/ogg); empty when nothing was said. */
  transcribe(audio: Uint8Array, mimeType: string): Promise<string>;
}

/** A fine-tuning job's state at the provider (OpenAI's `fine_tuning.job`). */
export interface FineTuningJobState {
  /** The provider's job id (`ftjob-...`). */
  readonly id: string;
  readonly status: "validating_files" | "queued" | "running" | "succeeded" | "failed" | "cancelled";
  readonly baseModel: string;
  /** The model it produced, once it succeeded. */
  readonly fineTunedModel: string | null;
  /** Tokens trained on (what is billed), once known. */
  readonly trainedTokens: number | null;
  /** Why it failed, in the provider's words (redacted of anything key-like). */
  readonly error: { readonly code: string; readonly message: string } | null;
  /** ISO-8601. */
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface FineTuningJobInput {
  readonly baseModel: string;
  readonly trainingFileId: string;
  readonly validationFileId?: string;
  readonly hyperparameters?: {
    readonly nEpochs?: number;
    readonly batchSize?: number;
    readonly learningRateMultiplier?: number;
  };
  /** Added to the fine-tuned model's name (up to 64 characters). */
  readonly suffix?: string;
  /** Sent as an `Idempotency-Key` header (the same on the SDK's retries), for providers that honour one. */
  readonly idempotencyKey: string;
}

/**
 * Fine-tuning at an OpenAI-compatible provider (files upload, jobs): present on `Deps` only when such a provider
 * is configured with a key (OPENAI_API_KEY). The built-in local models cannot be fine-tuned.
 */
export interface FineTuning {
  readonly info: { readonly provider: "openai-compatible"; readonly baseURL: string; readonly label: string };
  /** Uploads a JSONL training or validation file (purpose `fine-tune`); answers the provider's file id. */
  uploadFile(fileName: string, data: Uint8Array): Promise<{ readonly id: string }>;
  /** Deleting a file the provider no longer has is not an error. */
  deleteFile(fileId: string): Promise<void>;
  createJob(input: FineTuningJobInput): Promise<FineTuningJobState>;
  getJob(jobId: string): Promise<FineTuningJobState>;
  cancelJob(jobId: string): Promise<FineTuningJobState>;
}

// ---------------------------------------------------------------------------------------------------
// Outbound requests
// ---------------------------------------------------------------------------------------------------

export interface EgressRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Covers the whole exchange: lookups, connections, every redirect and the last byte of the body. */
  readonly timeoutMs: number;
  /** The body is cut there and the connection closed; 1 MiB when omitted. */
  readonly maxBodyBytes?: number;
  readonly signal?: AbortSignal;
}

export interface EgressResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The body was longer than `maxBodyBytes` and was cut. */
  readonly truncated: boolean;
  /** The URL that answered, after redirects. */
  readonly url: string;
}

/**
 * The one way out for requests whose destination a tenant controls (HTTP tools today; webhooks and MCP
 * clients when they come). Only public internet hosts are reachable, unless the operator narrows that
 * to an allow-list or, for local development, adds loopback. Refusals are `permission-denied`; a deadline
 * is `deadline-exceeded`; a host that cannot be reached is `unavailable`.
 */
export interface Egress {
  /**
   * Refuses a URL the policy forbids: its form, the allow-list, or an address its host resolves to now.
   * A host that does not resolve now is not refused (requests check again, every time).
   */
  check(url: string): Promise<void>;
  /** Redirects are followed (a few hops), each one checked like the first. */
  request(request: EgressRequest): Promise<EgressResponse>;
}

// ---------------------------------------------------------------------------------------------------
// Payments
// ---------------------------------------------------------------------------------------------------

/**
 * A payment provider's event, verified: what billing acts on. `data` is the provider's object as sent
 * (a Stripe Checkout Session, Invoice or Subscription); billing reads the fields it needs with zod.
 */
export interface PaymentEvent {
  /** The provider's event id (`evt_...`): what makes processing idempotent. */
  readonly id: string;
  /** `checkout.session.completed`, `invoice.paid`, `invoice.payment_failed`, `customer.subscription.updated`, ... */
  readonly type: string;
  /** Seconds since the epoch, as the provider stamped the event. */
  readonly created: number;
  readonly data: Record<string, unknown>;
}

export interface CheckoutRequest {
  readonly customerId: string;
  /** `subscription`: a plan's recurring price; `payment`: a one-off credit top-up. */
  readonly mode: "subscription" | "payment";
  /** The provider's price for a subscription (the plan's `stripePriceId`). */
  readonly priceId?: string;
  /** A top-up: the amount charged, in the currency's smallest unit (cents), and its line item's name. */
  readonly amount?: { readonly currency: string; readonly unitAmount: number; readonly name: string };
  readonly successUrl: string;
  readonly cancelUrl: string;
  /** Copied to the session (and, for subscriptions, to the subscription): how a webhook finds its workspace. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Sent as the request's idempotency key: a retried request creates one session. */
  readonly idempotencyKey: string;
}

export interface MeterEventInput {
  /** Unique per event: the provider drops a second event with the same identifier. */
  readonly identifier: string;
  readonly eventName: string;
  readonly customerId: string;
  /** A whole number. */
  readonly value: number;
  /** Seconds since the epoch (the provider accepts events up to 35 days old). */
  readonly timestamp: number;
}

export interface InvoiceSummary {
  readonly id: string;
  readonly number: string | null;
  readonly status: string | null;
  /** In the currency's smallest unit (cents). */
  readonly amountDue: number;
  readonly amountPaid: number;
  readonly currency: string;
  /** ISO-8601. */
  readonly created: string;
  readonly hostedInvoiceUrl: string | null;
  readonly pdfUrl: string | null;
}

/**
 * Payments (Stripe through the `stripe` SDK, `platform/payments`). Absent from `Deps` when no secret key is
 * configured: the platform then runs on credits alone.
 */
export interface Payments {
  /** Creates a customer; `idempotencyKey` makes a retried call return the same one. */
  createCustomer(input: {
    readonly name: string;
    readonly metadata: Readonly<Record<string, string>>;
    readonly idempotencyKey: string;
  }): Promise<{ readonly id: string }>;
  createCheckoutSession(input: CheckoutRequest): Promise<{ readonly id: string; readonly url: string }>;
  /** A Customer Portal session: payment methods, invoices, cancellation. */
  createPortalSession(input: {
    readonly customerId: string;
    readonly returnUrl: string;
  }): Promise<{ readonly url: string }>;
  /**
   * Verifies `signature` (the `Stripe-Signature` header) over the exact raw body with the webhook secret,
   * 300 s tolerance. Throws `AppError("invalid-argument")` on a bad, missing or stale signature.
   */
  verifyWebhook(rawBody: Buffer, signature: string | undefined): PaymentEvent;
  /** Reports usage to a billing meter; each event by its own identifier (the provider dedupes). */
  reportMeterEvents(events: readonly MeterEventInput[]): Promise<void>;
  /** The meter's total for a customer over [start, end) (seconds since the epoch). */
  meterTotal(input: {
    readonly meterId: string;
    readonly customerId: string;
    readonly start: number;
    readonly end: number;
  }): Promise<number>;
  listInvoices(customerId: string, limit: number): Promise<InvoiceSummary[]>;
  /** A read that proves the key and the service work (the monitor's dependency check). */
  ping(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Time and identity
// ---------------------------------------------------------------------------------------------------

export interface Clock {
  now(): Date;
  /** `now()` as an ISO-8601 string, the form timestamps take in documents. */
  nowIso(): string;
}

export interface Ids {
  /** A 20-character random id, the shape of Firestore's auto ids. */
  newId(): string;
  /** A random secret of `bytes` bytes, base64url. */
  newSecret(bytes?: number): string;
}
