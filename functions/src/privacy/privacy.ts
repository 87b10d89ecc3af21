/**
 * Data-subject requests for an end user: a person an agent talks to on a channel, known only by the
 * channel identity their conversations record as `endUserRef` (a WhatsApp number, a customer id, the
 * OpenAI-compatible API's `user`). Export returns everything stored about them; erasure deletes it.
 * Both are recorded in the audit log, which names the end user by a SHA-256 of the reference, not the
 * reference itself: the log outlives the erasure and should not keep the identity it erased in clear.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { tracePath, tracesPath } from "../accountability/schema.js";
import { conversationsPath, messagesPath } from "../agents/schema.js";
import { recordAudit, type AuditTarget } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { everyMatch } from "../platform/paging.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { log } from "../platform/log.js";
import type { DocData, DocSnapshot } from "../platform/ports.js";
import { validate } from "../platform/validation.js";
import { addCounts, noCounts, purgeConversation, type PurgeCounts } from "./purge.js";
import {
  eraseNarrative,
  exportNarrative,
  type NarrativeErasure,
  type NarrativeExport,
} from "../narrative/end-users.js";

/** As conversations store it (see the API's start-conversation body): trimmed, 1..200 characters. */
export const endUserRefSchema = z.string().trim().min(1, "endUserRef is required").max(200);
export const endUserRequestInput = z.object({ endUserRef: endUserRefSchema }).strict();

/** How audit entries name an end user: a hash, so an admin can check a reference without the log holding it. */
export function endUserTarget(endUserRef: string): AuditTarget {
  return { type: "endUser", id: `sha256:${createHash("sha256").update(endUserRef, "utf8").digest("hex")}` };
}

const pageSize = 100;

/** Every conversation of the end user, one page at a time. */
function endUserConversations(deps: Deps, tenantId: string, endUserRef: string): AsyncGenerator<DocSnapshot> {
  const where = [{ field: "endUserRef", op: "==", value: endUserRef }] as const;
  return everyMatch(deps.store, { collection: conversationsPath(tenantId), where }, pageSize);
}

type Exported = DocData & { readonly id: string };

export interface ExportedConversation extends Exported {
  readonly messages: Exported[];
  readonly traces: Exported[];
}

export interface EndUserExport {
  readonly endUserRef: string;
  readonly exportedAt: string;
  readonly conversations: ExportedConversation[];
  /**
   * Long-term memory about the end user (narrative/): their memories in every scope with their history, what
   * agents told them (statements checked for contradictions) and the consistency flags.
   */
  readonly memory: NarrativeExport;
  readonly notes: string[];
}

const exportNotes = [
  "memory holds what agents with long-term memory remember about the end user (memories, with the versions " +
    "they superseded), the sentences agents told them with their sources, and the consistency flags; it is " +
    "empty when no such agent talked to them. Conversation summaries are part of each conversation.",
  "Traces are exported as stored: when an agent's guardrails redact personal data, they hold the redacted text.",
  "Application logs are not included: personal data is redacted from every log line before it is written.",
];

const byCreatedAt = (a: Exported, b: Exported): number =>
  String(a.createdAt ?? "").localeCompare(String(b.createdAt ?? "")) || a.id.localeCompare(b.id);

/** The traces of a conversation's turns: those its messages name, and failed turns' (which name the conversation). */
async function conversationTraces(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  messages: readonly Exported[],
): Promise<Exported[]> {
  const found = await deps.store.query({
    collection: tracesPath(tenantId),
    where: [{ field: "conversationId", op: "==", value: conversationId }],
  });
  const seen = new Set(found.map((t) => t.id));
  const missing = [
    ...new Set(
      messages
        .map((m) => m.traceId)
        .filter((id): id is string => typeof id === "string" && idPattern.test(id) && !seen.has(id)),
    ),
  ];
  const more = missing.length
    ? (await deps.store.getAll(missing.map((id) => tracePath(tenantId, id)))).filter((s) => s !== null)
    : [];
  return [...found, ...more].map((t) => ({ ...t.data, id: t.id })).sort(byCreatedAt);
}

/** Everything stored about an end user in a tenant: their conversations, with messages and traces. */
export async function exportEndUser(
  deps: Deps,
  tenantId: string,
  endUserRef: string,
  actor = "system",
): Promise<EndUserExport> {
  const ref = validate(endUserRefSchema, endUserRef, "endUserRef");
  const exportedAt = deps.clock.nowIso();
  const conversations: ExportedConversation[] = [];
  for await (const conversation of endUserConversations(deps, tenantId, ref)) {
    const messageSnaps = await deps.store.query({
      collection: messagesPath(tenantId, conversation.id),
      orderBy: [{ field: "seq", direction: "asc" }],
    });
    const messages = messageSnaps.map((m) => ({ ...m.data, id: m.id }));
    const traces = await conversationTraces(deps, tenantId, conversation.id, messages);
    conversations.push({ ...conversation.data, id: conversation.id, messages, traces });
  }
  conversations.sort(byCreatedAt);
  const memory = await exportNarrative(deps, tenantId, ref);
  const counts = {
    memories: memory.memories.length,
    conversations: conversations.length,
    messages: conversations.reduce((n, c) => n + c.messages.length, 0),
    traces: conversations.reduce((n, c) => n + c.traces.length, 0),
  };
  await recordAudit(deps, {
    tenantId,
    actor,
    action: "privacy.export",
    target: endUserTarget(ref),
    after: { exported: counts },
  });
  return { endUserRef: ref, exportedAt, conversations, memory, notes: [...exportNotes] };
}

export interface EndUserErasure {
  readonly endUserRef: string;
  readonly erasedAt: string;
  /** What this call deleted: zero everywhere when there was nothing (left) to erase. */
  readonly deleted: PurgeCounts & { readonly memory: NarrativeErasure };
}

/**
 * Deletes an end user's conversations with their messages and traces, and records the erasure (counts,
 * not content) in the audit log. Idempotent: a repeated call, or one after a crash midway, deletes what
 * is left and succeeds.
 */
export async function eraseEndUser(
  deps: Deps,
  tenantId: string,
  endUserRef: string,
  actor = "system",
): Promise<EndUserErasure> {
  const ref = validate(endUserRefSchema, endUserRef, "endUserRef");
  const deleted = noCounts();
  const done = new Set<string>();
  // Each conversation is gone once purged, so the first page is always the next one to erase.
  for (;;) {
    const page = await deps.store.query({
      collection: conversationsPath(tenantId),
      where: [{ field: "endUserRef", op: "==", value: ref }],
      limit: pageSize,
    });
    if (page.length === 0) break;
    if (page.every((c) => done.has(c.id))) {
      throw new AppError("internal", "Erasure made no progress: conversations survived their deletion");
    }
    for (const conversation of page) {
      addCounts(deleted, await purgeConversation(deps, tenantId, conversation.id));
      done.add(conversation.id);
    }
  }
  // After the conversations: a turn finishing meanwhile could still write a memory, which this then removes.
  const memory = await eraseNarrative(deps, tenantId, ref);
  const erasedAt = deps.clock.nowIso();
  await recordAudit(deps, {
    tenantId,
    actor,
    action: "privacy.erase",
    target: endUserTarget(ref),
    after: { deleted: { ...deleted, memory } },
  });
  log.info("end user erased", { tenantId, ...deleted, ...memory });
  return { endUserRef: ref, erasedAt, deleted: { ...deleted, memory } };
}
