/**
 * Conversations and their messages: starting one, opening it for a caller (the one access check every
 * entry point makes), listing a tenant's conversations a page at a time (with the cursor codec), and
 * reading a conversation's messages. What happens inside a turn is agents/turn.ts.
 */
import { z } from "zod";
import type { AnswerRef } from "../accountability/feedback.js";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { hasPermission, requirePermission } from "../platform/permissions.js";
import { assertCanStartConversation } from "../billing/limits.js";
import { assertWorkspaceActive } from "../identity/tenants.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import type { Filter, QuerySpec } from "../platform/ports.js";
import { validate } from "../platform/validation.js";
import { assertAnswering, getAgent, resolveConfig } from "./agents.js";
import {
  agentChannels,
  conversationPath,
  conversationsPath,
  conversationSchema,
  messagePath,
  messagesPath,
  messageSchema,
  type Conversation,
  type Delivery,
  type Message,
  type VersionSelector,
} from "./schema.js";

export type MessageView = Message & { readonly id: string };

export async function startConversation(
  deps: Deps,
  tenantId: string,
  agentId: string,
  options: {
    channel: Conversation["channel"];
    endUserRef?: string;
    version?: VersionSelector;
    /** The caller's `uid`: the one credential that may continue it (see `openConversation`). */
    startedBy?: string;
    /**
     * A monitor probe's conversation: it asks the published version whatever channels it is on, and is not
     * counted against conversation limits (it is deleted after its one turn).
     */
    synthetic?: boolean;
    /**
     * A Sandbox conversation (an eval run, a replay, a simulation): it asks any version whatever channels it
     * is on, is not counted against conversation limits, its turns are Sandbox turns (billed as sandbox usage,
     * left out of analytics) and it is left out of conversation listings.
     */
    sandbox?: boolean;
  },
): Promise<{ id: string; agentVersion: number | "draft" }> {
  const exempt = options.synthetic === true || options.sandbox === true;
  // A suspended workspace starts nothing on any channel (its probes and Sandbox runs are not end users').
  if (!exempt) await assertWorkspaceActive(deps, tenantId);
  const agent = await getAgent(deps, tenantId, agentId);
  const selector = options.version ?? "published";
  assertAnswering(agent, selector);
  const { config, version } = await resolveConfig(deps, tenantId, agent, selector);
  if (selector !== "draft" && !exempt && !config.channels.includes(options.channel)) {
    throw new AppError(
      "failed-precondition",
      `Agent ${agentId} is not enabled on the ${options.channel} channel (enabled: ${config.channels.join(", ") || "none"})`,
    );
  }
  const endUserRef = options.endUserRef ?? null;
  if (!exempt)
    await assertCanStartConversation(deps, tenantId, {
      agentQuotas: config.quotas,
      endUserRef,
      count: (scope, since) =>
        deps.store.count({
          collection: conversationsPath(tenantId),
          where: [
            ...(scope === "workspace" ? [] : [{ field: "agentId", op: "==" as const, value: agentId }]),
            ...(scope === "end-user" ? [{ field: "endUserRef", op: "==" as const, value: endUserRef }] : []),
            { field: "createdAt", op: ">=", value: since },
          ],
        }),
    });
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const conversation: Conversation = {
    agentId,
    agentVersion: selector,
    channel: options.channel,
    endUserRef,
    startedBy: options.startedBy ?? null,
    messageCount: 0,
    summary: null,
    pendingConfirmationId: null,
    ...(options.sandbox ? { sandbox: true as const } : {}),
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.create(`${conversationsPath(tenantId)}/${id}`, conversation);
  return { id, agentVersion: version };
}

/** The stored conversation; no access check (entry points use `openConversation`, the turn trusts them). */
export async function loadConversation(
  deps: Deps,
  tenantId: string,
  conversationId: string,
): Promise<Conversation> {
  const snap = await deps.store.get(conversationPath(tenantId, conversationId));
  if (!snap) throw new AppError("not-found", `Conversation ${conversationId} not found`);
  return conversationSchema.parse(snap.data);
}

export type ConversationView = Conversation & { readonly id: string };

export async function getConversation(
  deps: Deps,
  tenantId: string,
  conversationId: string,
): Promise<ConversationView> {
  return { id: conversationId, ...(await loadConversation(deps, tenantId, conversationId)) };
}

/**
 * A conversation as `caller` may use it, the one check every entry point (REST, the callable, the
 * OpenAI-compatible API and the channels to come) makes before reading or continuing one:
 * - a key scoped to an agent sees only that agent's conversations;
 * - a credential may read and continue the conversations it started; reading anyone else's needs
 *   `conversations.view` (they hold end users' words), and continuing them is refused to everyone, since
 *   a reply would speak for the person who started it;
 * - continuing a conversation with an agent's draft needs `agents.manage`, as starting one does.
 * Someone who may not read a conversation is told it does not exist, as for another tenant's.
 * Conversations started before the starter was recorded can be read and continued with
 * `conversations.view` only.
 */
export async function openConversation(
  deps: Deps,
  caller: Caller,
  conversationId: string,
  purpose: "read" | "continue",
): Promise<ConversationView> {
  const conversation = await getConversation(deps, caller.tenantId, conversationId);
  const notFound = () => new AppError("not-found", `Conversation ${conversationId} not found`);
  if (caller.agentId && caller.agentId !== conversation.agentId) throw notFound();
  const own = conversation.startedBy !== null && conversation.startedBy === caller.uid;
  const mayView = hasPermission(caller, "conversations.view");
  if (!own && !mayView) throw notFound();
  if (purpose === "read") return conversation;
  if (!own && conversation.startedBy !== null) {
    throw new AppError(
      "permission-denied",
      `Conversation ${conversationId} was started by another credential; only it may continue the conversation`,
    );
  }
  if (conversation.agentVersion === "draft") requirePermission(caller, "agents.manage");
  return conversation;
}

/** `2024-05-01` (midnight UTC) or a full ISO-8601 date-time with its offset. */
const listInstant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: "must be an ISO date (2024-05-01) or date-time with an offset (2024-05-01T09:30:00Z)",
  })
  .transform((s) => new Date(s));

/** Where the previous page ended: its last `updatedAt`, and the ids already listed at that instant. */
const listCursorSchema = z.object({
  updatedAt: z.string().min(1).max(64),
  seen: z.array(z.string().regex(idPattern)).min(1),
});
type ListCursor = z.infer<typeof listCursorSchema>;

const invalidCursor = "must be the nextCursor of a previous page";

const cursorToken = (cursor: ListCursor): string =>
  Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");

const listCursor = z
  .string()
  .max(64_000, invalidCursor)
  .transform((token, ctx): ListCursor => {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    } catch {
      decoded = undefined;
    }
    const parsed = listCursorSchema.safeParse(decoded);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: invalidCursor });
      return z.NEVER;
    }
    return parsed.data;
  });

export const conversationListQuerySchema = z
  .object({
    agentId: z.string().regex(idPattern, "must be 1-128 letters, digits, '-' or '_'").optional(),
    channel: z.enum(agentChannels).optional(),
    /** Last activity at or after this instant. */
    from: listInstant.optional(),
    /** Last activity before this instant (exclusive). */
    to: listInstant.optional(),
    limit: z.coerce
      .number({ error: "must be a whole number from 1 to 200" })
      .int("must be a whole number from 1 to 200")
      .min(1, "must be a whole number from 1 to 200")
      .max(200, "must be a whole number from 1 to 200")
      .default(50),
    /** The `nextCursor` of the previous page. */
    cursor: listCursor.optional(),
  })
  .strict();
/** The query string as sent (`listConversations` validates it). */
export type ConversationListQuery = Record<string, string | number | undefined>;

/** What a listing shows of a conversation: no summary (it quotes the end user), nothing to read per row. */
export type ConversationListItem = Omit<ConversationView, "summary" | "pendingConfirmationId">;

export interface ConversationPage {
  readonly conversations: ConversationListItem[];
  /** Pass as `cursor` for the next page; `null` on the last one. */
  readonly nextCursor: string | null;
}

/**
 * The Firestore query behind a listing page: equality filters on agent and channel, a range on
 * `updatedAt`, newest activity first. Filtering by agent and/or channel needs the composite indexes
 * (agentId, updatedAt desc), (channel, updatedAt desc) and (agentId, channel, updatedAt desc) in
 * firestore.indexes.json; every range is on the ordered field, as Firestore requires.
 */
export function conversationListQuery(tenantId: string, query: ConversationListQuery): QuerySpec {
  return planListing(tenantId, query).spec;
}

function planListing(
  tenantId: string,
  query: ConversationListQuery,
): { spec: QuerySpec; limit: number; cursor: ListCursor | undefined } {
  const parsed = validate(conversationListQuerySchema, query, "query parameter");
  if (parsed.from && parsed.to && parsed.from.getTime() >= parsed.to.getTime()) {
    throw new AppError(
      "invalid-argument",
      `Invalid query parameter: from (${parsed.from.toISOString()}) must be before to (${parsed.to.toISOString()})`,
    );
  }
  const where: Filter[] = [];
  if (parsed.agentId !== undefined) where.push({ field: "agentId", op: "==", value: parsed.agentId });
  if (parsed.channel !== undefined) where.push({ field: "channel", op: "==", value: parsed.channel });
  if (parsed.from) where.push({ field: "updatedAt", op: ">=", value: parsed.from.toISOString() });
  if (parsed.to) where.push({ field: "updatedAt", op: "<", value: parsed.to.toISOString() });
  // The cursor holds values, not a document: a conversation keeps changing, and a document cursor would
  // move with it (Firestore's startAfter reads the document's current updatedAt).
  if (parsed.cursor) where.push({ field: "updatedAt", op: "<=", value: parsed.cursor.updatedAt });
  const spec: QuerySpec = {
    collection: conversationsPath(tenantId),
    where,
    // Ties on updatedAt fall back to the document id (Firestore's implicit order); the cursor's `seen`
    // ids make paging exact whatever the tie order.
    orderBy: [{ field: "updatedAt", direction: "desc" }],
    // One more than the page, to know whether there is a next one, plus the ids to skip at the cursor.
    limit: parsed.limit + 1 + (parsed.cursor?.seen.length ?? 0),
  };
  return { spec, limit: parsed.limit, cursor: parsed.cursor };
}

/**
 * One page of a tenant's conversations, most recent activity first, filtered by agent, channel and a
 * window of last activity [from, to). A conversation that gets a message moves to the first page; the
 * next pages never repeat one that was already listed. Sandbox conversations (eval runs, replays,
 * simulations) are never listed: they are read and skipped, the cursor moving past them, and a page runs a
 * few more queries to fill up when they crowd it (after `maxListingRounds` it may come back short, with a
 * `nextCursor` that goes on from there).
 */
export async function listConversations(
  deps: Deps,
  tenantId: string,
  query: ConversationListQuery = {},
): Promise<ConversationPage> {
  const first = planListing(tenantId, query);
  const conversations: ConversationListItem[] = [];
  let plan = first;
  for (let round = 1; ; round++) {
    // A later round reads ahead (50, 200, 800, 3,200 more rows): it is only needed when Sandbox rows crowd.
    const ahead = round === 1 ? 0 : 50 * 4 ** (round - 2);
    const { listed, next } = await readListing(deps, plan, first.limit - conversations.length, ahead);
    conversations.push(...listed);
    if (next === null || conversations.length >= first.limit || round >= maxListingRounds) {
      return { conversations, nextCursor: next && cursorToken(next) };
    }
    plan = planListing(tenantId, {
      ...query,
      limit: first.limit - conversations.length,
      cursor: cursorToken(next),
    });
  }
}

/** Queries a listing page may run to get past Sandbox conversations. */
const maxListingRounds = 5;

/**
 * One query of a listing, reading `ahead` rows more than it needs: up to `limit` conversations that are
 * listed, and where the next query starts.
 */
async function readListing(
  deps: Deps,
  plan: ReturnType<typeof planListing>,
  limit: number,
  ahead: number,
): Promise<{ listed: ConversationListItem[]; next: ListCursor | null }> {
  const { cursor } = plan;
  const spec = { ...plan.spec, limit: (plan.spec.limit ?? 0) + ahead };
  const seen = new Set(cursor?.seen);
  const snaps = await deps.store.query(spec);
  const rows = snaps
    .map((s): ConversationListItem => {
      const {
        summary: _summary,
        pendingConfirmationId: _pending,
        ...conversation
      } = conversationSchema.parse(s.data);
      return { id: s.id, ...conversation };
    })
    .filter((c) => !(cursor && c.updatedAt === cursor.updatedAt && seen.has(c.id)));
  const consumed: ConversationListItem[] = [];
  const listed: ConversationListItem[] = [];
  for (const row of rows) {
    if (listed.length === limit) break;
    consumed.push(row);
    if (!row.sandbox) listed.push(row);
  }
  const last = consumed.at(-1);
  // More may follow when rows were left unread, or when the query came back full (Sandbox rows skipped).
  const more = rows.length > consumed.length || snaps.length === spec.limit;
  if (!more || !last) return { listed, next: null };
  const seenAtLast = consumed.filter((c) => c.updatedAt === last.updatedAt).map((c) => c.id);
  if (cursor?.updatedAt === last.updatedAt) seenAtLast.push(...cursor.seen);
  return { listed, next: { updatedAt: last.updatedAt, seen: seenAtLast } };
}

/** The messages a turn needs: those the stored summary does not cover yet (a window and a turn or two). */
export async function unsummarizedHistory(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  conversation: Conversation,
): Promise<{ role: "user" | "assistant"; content: string; seq: number }[]> {
  if (conversation.messageCount === 0) return [];
  const snaps = await deps.store.query({
    collection: messagesPath(tenantId, conversationId),
    where: [{ field: "seq", op: ">=", value: conversation.summary?.throughSeq ?? 0 }],
    orderBy: [{ field: "seq", direction: "asc" }],
  });
  return snaps.map((s) => {
    const m = messageSchema.parse(s.data);
    return { role: m.role, content: m.content, seq: m.seq };
  });
}

export async function listMessages(
  deps: Deps,
  tenantId: string,
  conversationId: string,
): Promise<MessageView[]> {
  await loadConversation(deps, tenantId, conversationId);
  const snaps = await deps.store.query({
    collection: messagesPath(tenantId, conversationId),
    orderBy: [{ field: "seq", direction: "asc" }],
  });
  return snaps.map((s) => ({ id: s.id, ...messageSchema.parse(s.data) }));
}

/** How far along each delivery status is: a report never moves an answer back (statuses arrive out of order). */
const deliveryRank: Record<Delivery["status"], number> = {
  accepted: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  failed: 4,
  "not-sent": 4,
};

/**
 * Records what a channel that delivers answers after the turn (WhatsApp) reports about one: kept on the
 * answer's message, where the studio's transcript shows it. A status behind the recorded one is ignored; a
 * failure is kept over any later success report of another part of the same answer.
 */
export async function recordDelivery(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  messageId: string,
  delivery: Delivery,
): Promise<void> {
  const path = messagePath(tenantId, conversationId, messageId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) return; // deleted since (retention, erasure): nothing to show it on
    const current = messageSchema.parse(snap.data).delivery;
    if (current && deliveryRank[current.status] >= deliveryRank[delivery.status]) return;
    tx.update(path, { delivery });
  });
}

/**
 * An answer of the conversation, as feedback addresses it (accountability/feedback.ts): an assistant message
 * with the trace of the turn that wrote it. A message of another conversation is not found; the end user's
 * own message is refused. The caller has checked who may see the conversation (`openConversation`).
 */
export async function findAnswer(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  messageId: string,
): Promise<AnswerRef> {
  const path = messagePath(tenantId, conversationId, messageId);
  const snap = await deps.store.get(path);
  if (!snap)
    throw new AppError("not-found", `Message ${messageId} not found in conversation ${conversationId}`);
  const message = messageSchema.parse(snap.data);
  if (message.role !== "assistant") {
    throw new AppError(
      "failed-precondition",
      `Message ${messageId} is the end user's own message; only the agent's answers can be rated`,
    );
  }
  if (!message.traceId) {
    throw new AppError(
      "failed-precondition",
      `Message ${messageId} has no decision trace, so it cannot be rated`,
    );
  }
  return { conversationId, messageId, traceId: message.traceId, messagePath: path };
}

/** An end user's latest conversations (at most 100, most recently updated first), for their studio page. */
export async function endUserConversations(
  deps: Deps,
  tenantId: string,
  endUserRef: string,
): Promise<
  {
    id: string;
    agentId: string;
    channel: string;
    createdAt: string;
    updatedAt: string;
    messageCount: number;
  }[]
> {
  // Equality only (no composite index): an end user has few conversations; the newest 500 are more than enough.
  const snaps = await deps.store.query({
    collection: conversationsPath(tenantId),
    where: [{ field: "endUserRef", op: "==", value: endUserRef }],
    limit: 500,
  });
  return snaps
    .map((s) => {
      const c = conversationSchema.parse(s.data);
      return {
        id: s.id,
        agentId: c.agentId,
        channel: c.channel,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
        messageCount: c.messageCount,
      };
    })
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, 100);
}
