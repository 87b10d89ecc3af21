/**
 * End users as the studio and the privacy requests see them: who an agent with long-term memory has talked to,
 * what it remembers about them (editable by the workspace's editors), what it told them that a later answer
 * contradicted, and — for data-subject requests — everything the narrative keeps about one end user, exported or
 * erased. Every change to memories goes through a transaction that bumps the end user's revision, so no
 * instance recalls a memory an editor deleted.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { deleteEveryMatch } from "../platform/paging.js";
import { AppError } from "../platform/errors.js";
import type { DocData, DocSnapshot } from "../platform/ports.js";
import {
  forgetNarrativeCache,
  memoryView,
  withHistory,
  type MemoryRecord,
  type NarrativeState,
} from "./memory.js";
import {
  consistencyFlagPath,
  consistencyFlagSchema,
  consistencyFlagsPath,
  endUserKeyOf,
  endUserPath,
  endUserSchema,
  endUsersPath,
  maxMemoryTextChars,
  memoriesPath,
  memoryKinds,
  memoryPath,
  memorySchema,
  statementsPath,
  type ConsistencyFlag,
  type EndUser,
  type Memory,
  type MemoryView,
} from "./schema.js";

export interface EndUserSummary {
  readonly endUserKey: string;
  readonly endUserRef: string;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly agentIds: readonly string[];
  readonly memoryCount: number;
  readonly openFlags: number;
}

export type ConsistencyFlagView = ConsistencyFlag & { readonly id: string };

const pageSize = 50;
/** A search by reference reads at most this many of the most recently seen end users. */
export const maxSearched = 2000;

export const endUserListQuery = z
  .object({
    q: z.string().trim().max(200, "q is limited to 200 characters").optional(),
    cursor: z
      .string()
      .regex(/^[0-9a-f]{40}$/, "cursor must be a nextCursor this list returned")
      .optional(),
  })
  .strict();

async function summaryOf(deps: Deps, tenantId: string, snap: DocSnapshot): Promise<EndUserSummary> {
  const e = endUserSchema.parse(snap.data);
  const [memoryCount, openFlags] = await Promise.all([
    deps.store.count({
      collection: memoriesPath(tenantId),
      where: [
        { field: "endUserKey", op: "==", value: snap.id },
        { field: "status", op: "==", value: "active" },
      ],
    }),
    deps.store.count({
      collection: consistencyFlagsPath(tenantId),
      where: [
        { field: "endUserKey", op: "==", value: snap.id },
        { field: "status", op: "==", value: "open" },
      ],
    }),
  ]);
  return {
    endUserKey: snap.id,
    endUserRef: e.endUserRef,
    firstSeenAt: e.firstSeenAt,
    lastSeenAt: e.lastSeenAt,
    agentIds: e.agentIds,
    memoryCount,
    openFlags,
  };
}

/**
 * End users, most recently seen first, a page at a time. `q` keeps those whose reference contains it (case
 * aside); the store cannot search inside a string, so a search reads the `maxSearched` most recent and says so
 * with `searchedAll: false` when there were more.
 */
export async function listEndUsers(
  deps: Deps,
  tenantId: string,
  query: z.infer<typeof endUserListQuery>,
): Promise<{ endUsers: EndUserSummary[]; nextCursor: string | null; searchedAll: boolean }> {
  const after = query.cursor ? await deps.store.get(endUserPath(tenantId, query.cursor)) : null;
  if (query.cursor && !after)
    throw new AppError("invalid-argument", "cursor names no end user: start from the first page");
  const needle = query.q?.toLowerCase();
  const found: DocSnapshot[] = [];
  let last: DocSnapshot | null = after;
  let read = 0;
  let more = true;
  while (found.length <= pageSize && more && read < (needle ? maxSearched : pageSize + 1)) {
    const page = await deps.store.query({
      collection: endUsersPath(tenantId),
      orderBy: [{ field: "lastSeenAt", direction: "desc" }],
      limit: needle ? 200 : pageSize + 1,
      ...(last ? { startAfter: last } : {}),
    });
    read += page.length;
    more = page.length > 0;
    for (const snap of page) {
      last = snap;
      const ref = String((snap.data as DocData).endUserRef ?? "").toLowerCase();
      if (!needle || ref.includes(needle)) found.push(snap);
    }
    if (!needle) break;
  }
  // The end user whose reference is exactly `q` comes first (the studio links a transcript to its end user this
  // way), wherever the scan found them, or even beyond it.
  if (query.q && !query.cursor) {
    const exact = await deps.store.get(endUserPath(tenantId, endUserKeyOf(query.q)));
    const at = found.findIndex((s) => s.id === exact?.id);
    if (at > 0) found.unshift(...found.splice(at, 1));
    else if (exact && at < 0) found.unshift(exact);
  }
  const pageOf = found.slice(0, pageSize);
  const endUsers = await Promise.all(pageOf.map((s) => summaryOf(deps, tenantId, s)));
  return {
    endUsers,
    nextCursor: found.length > pageSize ? (pageOf[pageOf.length - 1]?.id ?? null) : null,
    searchedAll: !needle || read < maxSearched,
  };
}

async function loadEndUser(deps: Deps, tenantId: string, endUserKey: string): Promise<EndUser> {
  const snap = await deps.store.get(endUserPath(tenantId, endUserKey));
  if (!snap) throw new AppError("not-found", `End user ${endUserKey} not found`);
  return endUserSchema.parse(snap.data);
}

async function memoriesOf(deps: Deps, tenantId: string, endUserKey: string): Promise<MemoryRecord[]> {
  const snaps = await deps.store.query({
    collection: memoriesPath(tenantId),
    where: [{ field: "endUserKey", op: "==", value: endUserKey }],
  });
  return snaps.map((s) => ({ id: s.id, ...memorySchema.parse(s.data) }));
}

async function flagsOf(deps: Deps, tenantId: string, endUserKey: string): Promise<ConsistencyFlagView[]> {
  const snaps = await deps.store.query({
    collection: consistencyFlagsPath(tenantId),
    where: [{ field: "endUserKey", op: "==", value: endUserKey }],
  });
  return snaps
    .map((s) => ({ id: s.id, ...consistencyFlagSchema.parse(s.data) }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Active memories first, then history; newest first within each. */
const memoryOrder = (a: MemoryRecord, b: MemoryRecord): number =>
  (a.status === "active" ? 0 : 1) - (b.status === "active" ? 0 : 1) || b.createdAt.localeCompare(a.createdAt);

export interface EndUserDetail {
  readonly endUser: Omit<EndUserSummary, "memoryCount" | "openFlags">;
  readonly memories: MemoryView[];
  readonly conversations: {
    id: string;
    agentId: string;
    channel: string;
    createdAt: string;
    updatedAt: string;
    messageCount: number;
  }[];
  readonly flags: ConsistencyFlagView[];
}

/**
 * One end user: their memories in every scope, their latest 100 conversations, and the consistency flags.
 * `conversationsOf` reads the conversations (the Agent Engine's, composed in by the API).
 */
export async function getEndUser(
  deps: Deps,
  tenantId: string,
  endUserKey: string,
  conversationsOf: (endUserRef: string) => Promise<EndUserDetail["conversations"]>,
): Promise<EndUserDetail> {
  const endUser = await loadEndUser(deps, tenantId, endUserKey);
  const [memories, flags, conversations] = await Promise.all([
    memoriesOf(deps, tenantId, endUserKey),
    flagsOf(deps, tenantId, endUserKey),
    conversationsOf(endUser.endUserRef),
  ]);
  return {
    endUser: {
      endUserKey,
      endUserRef: endUser.endUserRef,
      firstSeenAt: endUser.firstSeenAt,
      lastSeenAt: endUser.lastSeenAt,
      agentIds: endUser.agentIds,
    },
    memories: memories.sort(memoryOrder).map(memoryView),
    conversations,
    flags,
  };
}

const memoryText = z
  .string()
  .trim()
  .min(1, "text must not be empty")
  .max(maxMemoryTextChars, `text is limited to ${maxMemoryTextChars} characters`);
const expiresAt = z
  .string()
  .datetime({ message: "expiresAt must be an ISO date-time, e.g. 2027-01-31T00:00:00Z" });

export const addMemoryInput = z
  .object({
    /** The agent that recalls it; null for every agent with workspace-scope memory. */
    agentId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/, "agentId must be an agent id")
      .nullable(),
    kind: z.enum(memoryKinds),
    key: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9:_-]{0,59}$/, "key must be lower-case letters, digits and : _ - (e.g. city)")
      .nullable()
      .default(null),
    text: memoryText,
    expiresAt: expiresAt.nullable().default(null),
  })
  .strict();

export const editMemoryInput = z
  .object({ text: memoryText, kind: z.enum(memoryKinds), expiresAt: expiresAt.nullable() })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "send at least one of text, kind, expiresAt");

/** Runs `write` in a transaction that bumps the end user's revision (so every instance recalls afresh). */
async function changeMemories<R>(
  deps: Deps,
  tenantId: string,
  endUserKey: string,
  write: (tx: Parameters<Parameters<Deps["store"]["runTransaction"]>[0]>[0], endUser: EndUser) => Promise<R>,
): Promise<R> {
  const result = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(endUserPath(tenantId, endUserKey));
    if (!snap) throw new AppError("not-found", `End user ${endUserKey} not found`);
    const endUser = endUserSchema.parse(snap.data);
    const out = await write(tx, endUser);
    tx.update(endUserPath(tenantId, endUserKey), { rev: endUser.rev + 1 });
    return out;
  });
  forgetNarrativeCache(deps.store, tenantId, endUserKey);
  return result;
}

/**
 * An editor's memory about an end user ("prefers to be called Sam"): recalled like any other, method `editor`.
 * With a key, it supersedes the active memory of that key in its scope, which stays as history.
 * `agentExists` checks the agent (the Agent Engine's, composed in by the API).
 */
export async function addMemory(
  deps: Deps,
  tenantId: string,
  endUserKey: string,
  input: z.infer<typeof addMemoryInput>,
  by: string,
  agentExists: (agentId: string) => Promise<boolean>,
): Promise<MemoryView> {
  if (input.agentId && !(await agentExists(input.agentId)))
    throw new AppError("invalid-argument", `agentId: agent ${input.agentId} not found`);
  const scopeKey = input.agentId ? `agent:${input.agentId}` : "workspace";
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const record = await changeMemories(deps, tenantId, endUserKey, async (tx, endUser) => {
    // A replayed request (a double click, a retry) finds its memory already there and adds nothing.
    const [same] = await tx.query({
      collection: memoriesPath(tenantId),
      where: [
        { field: "endUserKey", op: "==", value: endUserKey },
        { field: "scopeKey", op: "==", value: scopeKey },
        { field: "text", op: "==", value: input.text },
        { field: "status", op: "==", value: "active" },
      ],
      limit: 1,
    });
    if (same) return { id: same.id, memory: memorySchema.parse(same.data) };
    const current = input.key
      ? (
          await tx.query({
            collection: memoriesPath(tenantId),
            where: [
              { field: "endUserKey", op: "==", value: endUserKey },
              { field: "scopeKey", op: "==", value: scopeKey },
              { field: "key", op: "==", value: input.key },
              { field: "status", op: "==", value: "active" },
            ],
            limit: 1,
          })
        )[0]
      : undefined;
    const memory: Memory = {
      endUserKey,
      endUserRef: endUser.endUserRef,
      scopeKey,
      agentId: input.agentId,
      kind: input.kind,
      key: input.key,
      value: input.text,
      text: input.text,
      confidence: 1,
      method: "editor",
      pattern: by,
      source: null,
      status: "active",
      supersedes: current?.id ?? null,
      supersededBy: null,
      supersededAt: null,
      createdAt: now,
      updatedAt: now,
      expiresAt: input.expiresAt,
      editedBy: by,
      // Matched by its words: a vector would need the embedder inside the transaction.
      embeddingModel: null,
      embedding: null,
    };
    tx.create(memoryPath(tenantId, id), memory);
    if (current)
      tx.update(memoryPath(tenantId, current.id), {
        status: "superseded",
        supersededBy: id,
        supersededAt: now,
        updatedAt: now,
      });
    return { id, memory };
  });
  return memoryView({ id: record.id, ...record.memory });
}

async function memoryOf(
  tx: { get: Deps["store"]["get"] },
  tenantId: string,
  endUserKey: string,
  memoryId: string,
): Promise<MemoryRecord> {
  const snap = await tx.get(memoryPath(tenantId, memoryId));
  const memory = snap ? memorySchema.parse(snap.data) : null;
  // Another end user's memory is as absent as a missing one.
  if (!memory || memory.endUserKey !== endUserKey)
    throw new AppError("not-found", `Memory ${memoryId} not found`);
  return { id: memoryId, ...memory };
}

/** An editor's correction of a memory: its text, kind or expiry, in place (`editedBy` says who). */
export async function editMemory(
  deps: Deps,
  tenantId: string,
  endUserKey: string,
  memoryId: string,
  input: z.infer<typeof editMemoryInput>,
  by: string,
): Promise<MemoryView> {
  const now = deps.clock.nowIso();
  const updated = await changeMemories(deps, tenantId, endUserKey, async (tx) => {
    const memory = await memoryOf(tx, tenantId, endUserKey, memoryId);
    const patch = {
      ...(input.text !== undefined
        ? // The old vector no longer describes the text: the memory is matched by its words until rewritten.
          { text: input.text, value: input.text, embedding: null, embeddingModel: null }
        : {}),
      ...(input.kind !== undefined ? { kind: input.kind } : {}),
      ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
      editedBy: by,
      updatedAt: now,
    };
    tx.update(memoryPath(tenantId, memoryId), patch);
    return { ...memory, ...patch };
  });
  return memoryView(updated);
}

/** Deletes a memory and its history (the versions it superseded; a version that replaced it stays). */
export async function deleteMemory(
  deps: Deps,
  tenantId: string,
  endUserKey: string,
  memoryId: string,
): Promise<number> {
  return changeMemories(deps, tenantId, endUserKey, async (tx) => {
    const target = await memoryOf(tx, tenantId, endUserKey, memoryId);
    const related = await tx.query({
      collection: memoriesPath(tenantId),
      where: [
        { field: "endUserKey", op: "==", value: endUserKey },
        { field: "scopeKey", op: "==", value: target.scopeKey },
      ],
    });
    const state: NarrativeState = {
      rev: null,
      memories: related.map((s) => ({ id: s.id, ...memorySchema.parse(s.data) })),
      statements: [],
      terms: new Map(),
    };
    const ids = withHistory(state, [memoryId]);
    for (const id of ids) tx.delete(memoryPath(tenantId, id));
    return ids.length;
  });
}

export const reviewFlagInput = z.object({ status: z.enum(["open", "reviewed"]) }).strict();

export async function reviewFlag(
  deps: Deps,
  tenantId: string,
  endUserKey: string,
  flagId: string,
  status: "open" | "reviewed",
  by: string,
): Promise<ConsistencyFlagView> {
  const path = consistencyFlagPath(tenantId, flagId);
  const snap = await deps.store.get(path);
  const flag = snap ? consistencyFlagSchema.parse(snap.data) : null;
  if (!flag || flag.endUserKey !== endUserKey) throw new AppError("not-found", `Flag ${flagId} not found`);
  const now = deps.clock.nowIso();
  const patch =
    status === "reviewed"
      ? { status, reviewedBy: by, reviewedAt: now }
      : { status, reviewedBy: null, reviewedAt: null };
  await deps.store.update(path, patch);
  return { id: flagId, ...flag, ...patch };
}

// ---------------------------------------------------------------------------------------------------
// Data-subject requests (privacy/privacy.ts)
// ---------------------------------------------------------------------------------------------------

export interface NarrativeExport {
  readonly endUser: (EndUser & { readonly endUserKey: string }) | null;
  readonly memories: MemoryView[];
  readonly statements: (DocData & { readonly id: string })[];
  readonly consistencyFlags: ConsistencyFlagView[];
}

/** Everything the narrative keeps about an end user, in every scope (memories with their history). */
export async function exportNarrative(
  deps: Deps,
  tenantId: string,
  endUserRef: string,
): Promise<NarrativeExport> {
  const key = endUserKeyOf(endUserRef);
  const snap = await deps.store.get(endUserPath(tenantId, key));
  const [memories, statements, flags] = await Promise.all([
    memoriesOf(deps, tenantId, key),
    deps.store.query({
      collection: statementsPath(tenantId),
      where: [{ field: "endUserKey", op: "==", value: key }],
    }),
    flagsOf(deps, tenantId, key),
  ]);
  return {
    endUser: snap ? { endUserKey: key, ...endUserSchema.parse(snap.data) } : null,
    memories: memories.sort(memoryOrder).map(memoryView),
    statements: statements
      .map((s): DocData & { readonly id: string } => ({ ...s.data, id: s.id }))
      .sort((a, b) => String(a.createdAt ?? "").localeCompare(String(b.createdAt ?? ""))),
    consistencyFlags: flags,
  };
}

export interface NarrativeErasure {
  readonly memories: number;
  readonly statements: number;
  readonly consistencyFlags: number;
  readonly endUsers: number;
}

/**
 * Deletes everything the narrative keeps about an end user: memories (every scope, with history), statements,
 * consistency flags and the end user document (last, so a crash midway leaves it to find the rest again).
 * Idempotent.
 */
export async function eraseNarrative(
  deps: Deps,
  tenantId: string,
  endUserRef: string,
): Promise<NarrativeErasure> {
  const key = endUserKeyOf(endUserRef);
  const where = [{ field: "endUserKey", op: "==", value: key }] as const;
  const counts = { memories: 0, statements: 0, consistencyFlags: 0, endUsers: 0 };
  const collections = [
    ["memories", memoriesPath(tenantId)],
    ["statements", statementsPath(tenantId)],
    ["consistencyFlags", consistencyFlagsPath(tenantId)],
  ] as const;
  for (const [name, collection] of collections)
    counts[name] = await deleteEveryMatch(deps.store, { collection, where });
  if (await deps.store.get(endUserPath(tenantId, key))) {
    await deps.store.delete(endUserPath(tenantId, key));
    counts.endUsers = 1;
  }
  forgetNarrativeCache(deps.store, tenantId, key);
  return counts;
}
