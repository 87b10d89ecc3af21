/**
 * Usage events: the metering input. One event per billable unit of work, written **in the same transaction
 * or batch as the work it measures**, under a deterministic id, so the event exists exactly when the work
 * does and a retried write cannot count it twice (creating an existing id fails the write):
 * - `turn`: one conversation turn (its trace's id), with the chat tokens, the tool calls, the query embedding
 *   and whether it was the conversation's first turn. A failed turn is metered too, with what it spent.
 * - `ingestion`: one document version made searchable (`ingest_{kb}_{doc}_{version}_{upload}`): pages, bytes, chunks
 *   and the embedded tokens.
 * - `message`: one message sent on a channel that charges per message (`msg_{channel}_{hash of the provider's message id}`).
 * - `tool`: one tool call outside a turn (an MCP client calling an exported tool set, the studio's Try), written
 *   right after the call returns (an HTTP call cannot share a transaction): `tool_{a fresh id}`.
 *
 * The meter (meter.ts) folds each event into the rollups once. Events hold ids, channels and counts: no
 * question, answer or end-user data, so they outlive a conversation's retention and an end user's erasure.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { tenantPath } from "../platform/caller.js";

export const usageEventsPath = (tenantId: string): string => `${tenantPath(tenantId)}/usageEvents`;
export const usageEventPath = (tenantId: string, id: string): string => `${usageEventsPath(tenantId)}/${id}`;

const count = z.number().int().min(0);

export const turnEventSchema = z.object({
  kind: z.literal("turn"),
  agentId: z.string(),
  agentVersion: z.union([z.literal("draft"), z.number().int()]),
  conversationId: z.string(),
  /** The channel the turn came through (the conversation's): api, widget, whatsapp, mcp, ... */
  channel: z.string(),
  status: z.enum(["answered", "abstained", "declined", "failed"]),
  /** `provider/model` of the chat model that answered. */
  model: z.string(),
  inputTokens: count,
  outputTokens: count,
  /** Tool calls the turn ran (refused ones included: they reached the platform). */
  toolCalls: count.default(0),
  /** The search queries' tokens, estimated (4 characters each). */
  embeddingTokens: count.default(0),
  /** The conversation's first answered turn: it starts a billable conversation. */
  firstTurn: z.boolean().default(false),
  latencyMs: z.number().min(0).default(0),
  /** The answer's confidence (answered turns). */
  confidence: z.number().min(0).max(1).nullable().default(null),
  /**
   * A Sandbox turn (an eval run, a replay, a simulation): charged like any turn, counted apart in the rollups
   * (`sandbox`) so the usage report shows it on its own line and analytics leave it out.
   */
  sandbox: z.literal(true).optional(),
  at: z.string(),
  /** Null until the meter folds the event into the rollups (in the same transaction); then when it did. */
  meteredAt: z.string().nullable().optional(),
});

export const ingestionEventSchema = z.object({
  kind: z.literal("ingestion"),
  kbId: z.string(),
  docId: z.string(),
  docVersion: z.number().int(),
  pages: count,
  bytes: count,
  chunks: count,
  embeddingTokens: count,
  at: z.string(),
  meteredAt: z.string().nullable().optional(),
});

export const messageEventSchema = z.object({
  kind: z.literal("message"),
  channel: z.string(),
  agentId: z.string().nullable(),
  conversationId: z.string().nullable(),
  at: z.string(),
  meteredAt: z.string().nullable().optional(),
});

/** A tool called outside a turn: an MCP client calling a workspace's exported tool set, or an editor trying one. */
export const toolEventSchema = z.object({
  kind: z.literal("tool"),
  /** `mcp` (an exported tool set) or `studio` (the Try button). */
  channel: z.string(),
  toolSetId: z.string(),
  toolName: z.string(),
  /** Whether the API answered (a refusal before sending is not metered at all). */
  ok: z.boolean(),
  at: z.string(),
  meteredAt: z.string().nullable().optional(),
});

/**
 * A model call the platform made for the workspace outside any turn: an eval run's LLM judge grading an
 * answer, or the model playing a simulation's end user. Priced on its tokens like a turn's, always Sandbox
 * usage (its own line in the usage report, left out of analytics), and no turn or conversation.
 */
export const modelEventSchema = z.object({
  kind: z.literal("model"),
  purpose: z.enum(["judge", "simulated-user"]),
  /** The agent under test. */
  agentId: z.string(),
  /** What the call served: `run:{runId}` or `simulation:{simulationId}`. */
  source: z.string(),
  /** `provider/model`, as on a turn. */
  model: z.string(),
  inputTokens: count,
  outputTokens: count,
  sandbox: z.literal(true),
  at: z.string(),
  meteredAt: z.string().nullable().optional(),
});
export type ModelEvent = z.infer<typeof modelEventSchema>;

export const usageEventSchema = z.discriminatedUnion("kind", [
  turnEventSchema,
  ingestionEventSchema,
  messageEventSchema,
  toolEventSchema,
  modelEventSchema,
]);
export type UsageEvent = z.infer<typeof usageEventSchema>;
export type TurnEvent = z.infer<typeof turnEventSchema>;

/** Tokens of a text as billing estimates them where a provider reports none: 4 characters each. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** What a turn's event is made from: its trace's fields (accountability/schema.ts `Trace`). */
export interface MeteredTurn {
  readonly agentId: string;
  readonly agentVersion: number | "draft";
  readonly conversationId: string;
  readonly channel: string;
  readonly status: TurnEvent["status"];
  readonly model: { readonly provider: string; readonly model: string };
  readonly generation: { readonly usage: { readonly inputTokens: number; readonly outputTokens: number } };
  readonly toolCalls: readonly unknown[];
  readonly retrieval: { readonly queries: readonly { readonly text: string }[] };
  readonly confidence: { readonly value: number } | null;
  readonly timingsMs: { readonly total: number };
  readonly createdAt: string;
  readonly sandbox?: true;
}

export const usageEventOf = (turn: MeteredTurn, firstTurn: boolean): TurnEvent => ({
  kind: "turn",
  agentId: turn.agentId,
  agentVersion: turn.agentVersion,
  conversationId: turn.conversationId,
  channel: turn.channel,
  status: turn.status,
  model: `${turn.model.provider}/${turn.model.model}`,
  inputTokens: turn.generation.usage.inputTokens,
  outputTokens: turn.generation.usage.outputTokens,
  toolCalls: turn.toolCalls.length,
  embeddingTokens: turn.retrieval.queries.reduce((n, q) => n + estimateTokens(q.text), 0),
  firstTurn: firstTurn && turn.status !== "failed",
  latencyMs: turn.timingsMs.total,
  confidence: turn.status === "answered" ? (turn.confidence?.value ?? null) : null,
  ...(turn.sandbox ? { sandbox: true as const } : {}),
  at: turn.createdAt,
  meteredAt: null,
});

interface Creator {
  create(path: string, data: Record<string, unknown>): unknown;
}

/** Adds the turn's usage event to `writer` (the transaction or batch that records the turn). */
export function meterTurn(
  writer: Creator,
  tenantId: string,
  traceId: string,
  turn: MeteredTurn,
  firstTurn = false,
): void {
  writer.create(usageEventPath(tenantId, traceId), usageEventOf(turn, firstTurn));
}

/**
 * Where a document version's ingestion event lives. `uploadId` (the document's) is unique per upload, restore
 * and re-upload: a document deleted and uploaded again starts at version 1 again, and is ingested again.
 */
export const ingestionEventPath = (
  tenantId: string,
  version: { kbId: string; docId: string; docVersion: number; uploadId?: string | undefined },
): string =>
  usageEventPath(
    tenantId,
    `ingest_${version.kbId}_${version.docId}_${version.docVersion}${version.uploadId ? `_${version.uploadId}` : ""}`,
  );

/**
 * Adds a document version's ingestion event to `writer` (the transaction that makes the version searchable).
 * A version made searchable again (a restarted ingestion) already has its event: the caller reads
 * `ingestionEventPath` first and does not call this then.
 */
export function meterIngestion(
  writer: Creator,
  tenantId: string,
  event: Omit<z.infer<typeof ingestionEventSchema>, "kind" | "meteredAt">,
  uploadId?: string,
): void {
  writer.create(ingestionEventPath(tenantId, { ...event, uploadId }), {
    kind: "ingestion",
    ...event,
    meteredAt: null,
  });
}

/** Adds a sent message's event to `writer`; `messageId` is the channel's own id for it (WhatsApp's `wamid`). */
export function meterMessage(
  writer: Creator,
  tenantId: string,
  messageId: string,
  event: Omit<z.infer<typeof messageEventSchema>, "kind" | "meteredAt">,
): void {
  const key = createHash("sha256").update(messageId).digest("hex").slice(0, 40);
  writer.create(usageEventPath(tenantId, `msg_${event.channel}_${key}`), {
    kind: "message",
    ...event,
    meteredAt: null,
  });
}

/** Records a tool call made outside a turn (after it returned: the remote call cannot share a transaction). */
export async function meterToolCall(
  store: { create(path: string, data: Record<string, unknown>): Promise<void> },
  tenantId: string,
  id: string,
  event: Omit<z.infer<typeof toolEventSchema>, "kind" | "meteredAt">,
): Promise<void> {
  await store.create(usageEventPath(tenantId, `tool_${id}`), { kind: "tool", ...event, meteredAt: null });
}

/**
 * Records a model call made outside a turn (after it returned, with the provider's token counts; a call that
 * failed reported none and is not metered). Each call is its own event: two calls are two spends.
 */
export async function meterModelCall(
  store: { create(path: string, data: Record<string, unknown>): Promise<void> },
  tenantId: string,
  id: string,
  event: Omit<ModelEvent, "kind" | "sandbox" | "meteredAt">,
): Promise<void> {
  await store.create(usageEventPath(tenantId, `model_${id}`), {
    kind: "model",
    ...event,
    sandbox: true,
    meteredAt: null,
  });
}
