/**
 * Usage metering: one usage event per conversation turn, on every channel, for billing to charge from.
 * - `tenants/{t}/usageEvents/{traceId}`: written with the turn's decision trace, in the same transaction as
 *   the answer for a turn that answered, so an event exists exactly when the turn does. Its id is the
 *   trace's: a retried write of the same turn cannot count it twice (a create of an existing id fails the
 *   transaction). A failed turn is metered too, with what it spent before failing.
 *
 * Events hold ids, the channel and the token counts: no question, answer or end-user data, so they outlive
 * a conversation's retention and an end user's erasure without keeping anything personal.
 */
import { z } from "zod";
import { tenantPath } from "../platform/caller.js";

export const usageEventsPath = (tenantId: string): string => `${tenantPath(tenantId)}/usageEvents`;
export const usageEventPath = (tenantId: string, id: string): string => `${usageEventsPath(tenantId)}/${id}`;

export const usageEventSchema = z.object({
  kind: z.literal("turn"),
  agentId: z.string(),
  agentVersion: z.union([z.literal("draft"), z.number().int()]),
  conversationId: z.string(),
  /** The channel the turn came through (the conversation's): api, widget, whatsapp, mcp, ... */
  channel: z.string(),
  status: z.enum(["answered", "abstained", "declined", "failed"]),
  /** `provider/model` of the chat model that answered. */
  model: z.string(),
  inputTokens: z.number().min(0),
  outputTokens: z.number().min(0),
  at: z.string(),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;

/** What a turn's event is made from: its trace's fields (accountability/schema.ts `Trace`). */
export interface MeteredTurn {
  readonly agentId: string;
  readonly agentVersion: number | "draft";
  readonly conversationId: string;
  readonly channel: string;
  readonly status: UsageEvent["status"];
  readonly model: { readonly provider: string; readonly model: string };
  readonly generation: { readonly usage: { readonly inputTokens: number; readonly outputTokens: number } };
  readonly createdAt: string;
}

export const usageEventOf = (turn: MeteredTurn): UsageEvent => ({
  kind: "turn",
  agentId: turn.agentId,
  agentVersion: turn.agentVersion,
  conversationId: turn.conversationId,
  channel: turn.channel,
  status: turn.status,
  model: `${turn.model.provider}/${turn.model.model}`,
  inputTokens: turn.generation.usage.inputTokens,
  outputTokens: turn.generation.usage.outputTokens,
  at: turn.createdAt,
});

/** Adds the turn's usage event to `writer` (the transaction that records the turn). */
export function meterTurn(
  writer: { create(path: string, data: UsageEvent): unknown },
  tenantId: string,
  traceId: string,
  turn: MeteredTurn,
): void {
  writer.create(usageEventPath(tenantId, traceId), usageEventOf(turn));
}
