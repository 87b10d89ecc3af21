/**
 * Eval datasets and their items: created by hand, uploaded as CSV or JSONL (uploads.ts), or taken from real
 * answers (a trace, or a conversation's transcript for a multi-turn script).
 *
 * Every change to the items bumps the dataset's `revision` in the same transaction, so a run records exactly
 * which items it ran and a publish gate can tell when an earlier run still applies. An upload is all or
 * nothing: a file with any invalid line writes nothing; a valid one of up to `atomicImportItems` items is one
 * transaction, a larger one is written in batches as a pending import whose items stay invisible until a last
 * transaction commits it (an import that never commits is removed by the next one, or with the dataset).
 */
import { z } from "zod";
import { getTrace } from "../accountability/traces.js";
import { listMessages, openConversation } from "../agents/conversations.js";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { everyMatch } from "../platform/paging.js";
import { FieldOps, type DocSnapshot } from "../platform/ports.js";
import { yieldToIo } from "../platform/slots.js";
import { nameSchema, validate } from "../platform/validation.js";
import {
  contentOf,
  datasetPath,
  datasetSchema,
  datasetsPath,
  evalLimits,
  itemInputSchema,
  itemPath,
  itemSchema,
  itemsPath,
  type Dataset,
  type Item,
  type ItemContent,
  type ItemInput,
} from "./schema.js";
import { parseUpload, type UploadFormat } from "./uploads.js";

export const createDatasetInput = z
  .object({
    name: nameSchema("name", 120),
    description: z.string().trim().max(2000, "description is at most 2000 characters").default(""),
  })
  .strict();
export const updateDatasetInput = createDatasetInput.partial().strict();

export type DatasetView = Omit<Dataset, "pendingImports" | "nextSeq"> & { readonly id: string };
export type ItemView = Omit<Item, "importId"> & { readonly id: string };

/**
 * An upload this size or smaller is written in one transaction; a larger one in batches of as many. Items may be
 * up to 8,000 characters: 100 of them are a transaction of at most about a megabyte (a 450-item one held local
 * mode's single process for over 100 ms; the hostile suite measures the platform while an owner uploads 2,000).
 */
export const atomicImportItems = 100;
/** Items written per batch of a larger upload (the others' requests are answered between two). */
const importBatch = atomicImportItems;
/** A pending import older than this is taken as abandoned (its writer crashed) and removed. */
const abandonedAfterMs = 15 * 60_000;

const datasetView = (id: string, d: Dataset): DatasetView => {
  const { pendingImports: _pending, nextSeq: _next, ...rest } = d;
  return { id, ...rest };
};
const itemView = (id: string, item: Item): ItemView => {
  const { importId: _import, ...rest } = item;
  return { id, ...rest };
};

async function readDataset(deps: Deps, tenantId: string, datasetId: string): Promise<Dataset> {
  const snap = await deps.store.get(datasetPath(tenantId, datasetId));
  if (!snap) throw new AppError("not-found", `Dataset ${datasetId} not found`);
  return datasetSchema.parse(snap.data);
}

export async function getDataset(deps: Deps, tenantId: string, datasetId: string): Promise<DatasetView> {
  return datasetView(datasetId, await readDataset(deps, tenantId, datasetId));
}

export async function listDatasets(deps: Deps, tenantId: string): Promise<DatasetView[]> {
  const snaps = await deps.store.query({
    collection: datasetsPath(tenantId),
    orderBy: [{ field: "updatedAt", direction: "desc" }],
    limit: evalLimits.datasetsPerWorkspace,
  });
  return snaps.map((s) => datasetView(s.id, datasetSchema.parse(s.data)));
}

export async function createDataset(
  deps: Deps,
  tenantId: string,
  input: z.input<typeof createDatasetInput>,
  actor: string,
): Promise<DatasetView> {
  const parsed = validate(createDatasetInput, input, "request body");
  const existing = await deps.store.count({ collection: datasetsPath(tenantId) });
  if (existing >= evalLimits.datasetsPerWorkspace) {
    throw new AppError(
      "resource-exhausted",
      `A workspace holds at most ${evalLimits.datasetsPerWorkspace} eval datasets; delete one first`,
    );
  }
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const dataset: Dataset = {
    name: parsed.name,
    description: parsed.description,
    itemCount: 0,
    revision: 0,
    nextSeq: 0,
    pendingImports: [],
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.create(datasetPath(tenantId, id), dataset);
  return datasetView(id, dataset);
}

export async function updateDataset(
  deps: Deps,
  tenantId: string,
  datasetId: string,
  patch: z.input<typeof updateDatasetInput>,
): Promise<DatasetView> {
  const parsed = validate(updateDatasetInput, patch, "request body");
  const path = datasetPath(tenantId, datasetId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Dataset ${datasetId} not found`);
    const next = { ...datasetSchema.parse(snap.data), ...parsed, updatedAt: deps.clock.nowIso() };
    tx.update(path, { ...parsed, updatedAt: next.updatedAt });
    return datasetView(datasetId, next);
  });
}

/** Deletes a dataset and its items; runs of it keep their own copies of the items they ran. */
export async function deleteDataset(deps: Deps, tenantId: string, datasetId: string): Promise<void> {
  await readDataset(deps, tenantId, datasetId);
  await deps.store.deleteRecursive(datasetPath(tenantId, datasetId));
}

// ---------------------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------------------

/** Whether an item is part of its dataset (not one of an import still being written or abandoned). */
const committed = (dataset: Dataset, item: Item): boolean =>
  item.importId === null || !dataset.pendingImports.some((p) => p.id === item.importId);

export const itemPageQuery = z
  .object({
    limit: z.coerce
      .number({ error: "must be a whole number from 1 to 500" })
      .int("must be a whole number from 1 to 500")
      .min(1, "must be a whole number from 1 to 500")
      .max(500, "must be a whole number from 1 to 500")
      .default(100),
    /** The `nextCursor` of the previous page: the last item's position. */
    cursor: z.coerce
      .number({ error: "must be the nextCursor of a previous page" })
      .int("must be the nextCursor of a previous page")
      .min(0, "must be the nextCursor of a previous page")
      .optional(),
  })
  .strict();

/** A page of a dataset's items in the order they were added. */
export async function listItems(
  deps: Deps,
  tenantId: string,
  datasetId: string,
  query: Record<string, string | undefined> = {},
): Promise<{ items: ItemView[]; nextCursor: string | null }> {
  const { limit, cursor } = validate(itemPageQuery, query, "query parameter");
  const dataset = await readDataset(deps, tenantId, datasetId);
  const snaps = await deps.store.query({
    collection: itemsPath(tenantId, datasetId),
    ...(cursor !== undefined ? { where: [{ field: "seq", op: ">", value: cursor }] } : {}),
    orderBy: [{ field: "seq" }],
    limit: limit + 1,
  });
  const rows = snaps.slice(0, limit).map((s) => ({ id: s.id, item: itemSchema.parse(s.data) }));
  return {
    items: rows.filter((r) => committed(dataset, r.item)).map((r) => itemView(r.id, r.item)),
    nextCursor: snaps.length > limit ? String(rows.at(-1)?.item.seq ?? "") : null,
  };
}

/** Every item of a dataset, in order, with the revision they make up (what a run copies). */
export async function itemsForRun(
  deps: Deps,
  tenantId: string,
  datasetId: string,
): Promise<{ dataset: DatasetView; revision: number; items: ItemView[] }> {
  // Items are read outside a transaction (up to 2,000): read again when the revision moved meanwhile.
  for (let attempt = 0; ; attempt++) {
    const before = await readDataset(deps, tenantId, datasetId);
    const items: ItemView[] = [];
    for await (const snap of everyMatch(
      deps.store,
      { collection: itemsPath(tenantId, datasetId), orderBy: [{ field: "seq" }] },
      500,
    )) {
      const item = itemSchema.parse(snap.data);
      if (committed(before, item)) items.push(itemView(snap.id, item));
    }
    const after = await readDataset(deps, tenantId, datasetId);
    if (after.revision === before.revision || attempt >= 2) {
      return { dataset: datasetView(datasetId, after), revision: before.revision, items };
    }
  }
}

export async function getItem(
  deps: Deps,
  tenantId: string,
  datasetId: string,
  itemId: string,
): Promise<ItemView> {
  const dataset = await readDataset(deps, tenantId, datasetId);
  const snap = await deps.store.get(itemPath(tenantId, datasetId, itemId));
  const item = snap ? itemSchema.parse(snap.data) : null;
  if (!item || !committed(dataset, item)) {
    throw new AppError("not-found", `Item ${itemId} not found in dataset ${datasetId}`);
  }
  return itemView(itemId, item);
}

type Origin = Item["origin"];

const capacityError = (dataset: Dataset, adding: number): AppError =>
  new AppError(
    "invalid-argument",
    `A dataset holds at most ${evalLimits.itemsPerDataset.toLocaleString("en")} items; this one has ` +
      `${dataset.itemCount.toLocaleString("en")}, and ${adding.toLocaleString("en")} more were sent`,
  );

/** Adds one item (validated); `origin` says where it came from. */
export async function addItem(
  deps: Deps,
  tenantId: string,
  datasetId: string,
  input: ItemInput,
  actor: string,
  origin: Origin = { kind: "manual", traceId: null, conversationId: null },
): Promise<ItemView> {
  const content = contentOf(validate(itemInputSchema, input, "item"));
  const id = deps.ids.newId();
  const path = datasetPath(tenantId, datasetId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Dataset ${datasetId} not found`);
    const dataset = datasetSchema.parse(snap.data);
    if (dataset.itemCount + 1 > evalLimits.itemsPerDataset) throw capacityError(dataset, 1);
    const now = deps.clock.nowIso();
    const item: Item = {
      ...content,
      seq: dataset.nextSeq,
      origin,
      importId: null,
      createdBy: actor,
      createdAt: now,
      updatedAt: now,
    };
    tx.create(itemPath(tenantId, datasetId, id), item);
    tx.update(path, {
      itemCount: dataset.itemCount + 1,
      nextSeq: dataset.nextSeq + 1,
      revision: dataset.revision + 1,
      updatedAt: now,
    });
    return itemView(id, item);
  });
}

/** Replaces an item's content (its origin and position stay). */
export async function updateItem(
  deps: Deps,
  tenantId: string,
  datasetId: string,
  itemId: string,
  input: ItemInput,
): Promise<ItemView> {
  const content = contentOf(validate(itemInputSchema, input, "item"));
  const path = datasetPath(tenantId, datasetId);
  return deps.store.runTransaction(async (tx) => {
    const [snap, itemSnap] = await Promise.all([tx.get(path), tx.get(itemPath(tenantId, datasetId, itemId))]);
    if (!snap) throw new AppError("not-found", `Dataset ${datasetId} not found`);
    const dataset = datasetSchema.parse(snap.data);
    const current = itemSnap ? itemSchema.parse(itemSnap.data) : null;
    if (!current || !committed(dataset, current)) {
      throw new AppError("not-found", `Item ${itemId} not found in dataset ${datasetId}`);
    }
    const now = deps.clock.nowIso();
    const item: Item = { ...current, ...content, updatedAt: now };
    tx.set(itemPath(tenantId, datasetId, itemId), item);
    tx.update(path, { revision: dataset.revision + 1, updatedAt: now });
    return itemView(itemId, item);
  });
}

export async function deleteItem(
  deps: Deps,
  tenantId: string,
  datasetId: string,
  itemId: string,
): Promise<void> {
  const path = datasetPath(tenantId, datasetId);
  await deps.store.runTransaction(async (tx) => {
    const [snap, itemSnap] = await Promise.all([tx.get(path), tx.get(itemPath(tenantId, datasetId, itemId))]);
    if (!snap) throw new AppError("not-found", `Dataset ${datasetId} not found`);
    const dataset = datasetSchema.parse(snap.data);
    const current = itemSnap ? itemSchema.parse(itemSnap.data) : null;
    if (!current || !committed(dataset, current)) {
      throw new AppError("not-found", `Item ${itemId} not found in dataset ${datasetId}`);
    }
    tx.delete(itemPath(tenantId, datasetId, itemId));
    tx.update(path, {
      itemCount: Math.max(0, dataset.itemCount - 1),
      revision: dataset.revision + 1,
      updatedAt: deps.clock.nowIso(),
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Uploads
// ---------------------------------------------------------------------------------------------------

export interface ImportReport {
  readonly added: number;
  readonly itemCount: number;
  readonly revision: number;
}

/**
 * Adds the items of a CSV or JSONL file, all or none. Refused (nothing written): a file over 5 MB
 * (`payload-too-large`), any invalid line (`invalid-argument`, `details.errors` listing each line and field,
 * `details.errorCount` how many), or more items than the dataset has room for.
 */
export async function importItems(
  deps: Deps,
  tenantId: string,
  datasetId: string,
  upload: { format: UploadFormat; content: string },
  actor: string,
): Promise<ImportReport> {
  const bytes = Buffer.byteLength(upload.content, "utf8");
  if (bytes > evalLimits.uploadBytes) {
    throw new AppError(
      "payload-too-large",
      `The ${upload.format.toUpperCase()} file is ${bytes.toLocaleString("en")} bytes; an upload is at most ` +
        `${evalLimits.uploadBytes.toLocaleString("en")} bytes (${evalLimits.itemsPerDataset.toLocaleString("en")} items)`,
    );
  }
  const dataset = await readDataset(deps, tenantId, datasetId);
  const parsed = await parseUpload(upload.format, upload.content);
  if (parsed.errorCount > 0) {
    const first = parsed.errors[0];
    throw new AppError(
      "invalid-argument",
      `The ${upload.format.toUpperCase()} file has ${parsed.errorCount} problem(s); nothing was added. First: ` +
        `line ${first?.line}${first?.field ? `, ${first.field}` : ""}: ${first?.message}`,
      { errors: parsed.errors, errorCount: parsed.errorCount },
    );
  }
  const contents = parsed.items.map(contentOf);
  if (dataset.itemCount + contents.length > evalLimits.itemsPerDataset) {
    throw capacityError(dataset, contents.length);
  }
  const origin: Origin = { kind: "upload", traceId: null, conversationId: null };
  await removeAbandonedImports(deps, tenantId, datasetId);
  return contents.length <= atomicImportItems
    ? importAtOnce(deps, tenantId, datasetId, contents, origin, actor)
    : importInBatches(deps, tenantId, datasetId, contents, origin, actor);
}

async function importAtOnce(
  deps: Deps,
  tenantId: string,
  datasetId: string,
  contents: ItemContent[],
  origin: Origin,
  actor: string,
): Promise<ImportReport> {
  const ids = contents.map(() => deps.ids.newId());
  const path = datasetPath(tenantId, datasetId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Dataset ${datasetId} not found`);
    const dataset = datasetSchema.parse(snap.data);
    if (dataset.itemCount + contents.length > evalLimits.itemsPerDataset) {
      throw capacityError(dataset, contents.length);
    }
    const now = deps.clock.nowIso();
    contents.forEach((content, i) => {
      const item: Item = {
        ...content,
        seq: dataset.nextSeq + i,
        origin,
        importId: null,
        createdBy: actor,
        createdAt: now,
        updatedAt: now,
      };
      tx.create(itemPath(tenantId, datasetId, ids[i] as string), item);
    });
    const report = {
      added: contents.length,
      itemCount: dataset.itemCount + contents.length,
      revision: dataset.revision + 1,
    };
    tx.update(path, {
      itemCount: report.itemCount,
      nextSeq: dataset.nextSeq + contents.length,
      revision: report.revision,
      updatedAt: now,
    });
    return report;
  });
}

async function importInBatches(
  deps: Deps,
  tenantId: string,
  datasetId: string,
  contents: ItemContent[],
  origin: Origin,
  actor: string,
): Promise<ImportReport> {
  const importId = deps.ids.newId();
  const path = datasetPath(tenantId, datasetId);
  const startedAt = deps.clock.nowIso();
  // Reserve the positions and mark the import pending: its items are invisible until it commits.
  const firstSeq = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Dataset ${datasetId} not found`);
    const dataset = datasetSchema.parse(snap.data);
    tx.update(path, {
      nextSeq: dataset.nextSeq + contents.length,
      pendingImports: FieldOps.arrayUnion({ id: importId, startedAt }),
    });
    return dataset.nextSeq;
  });
  try {
    for (let start = 0; start < contents.length; start += importBatch) {
      const batch = deps.store.batch();
      contents.slice(start, start + importBatch).forEach((content, i) => {
        const item: Item = {
          ...content,
          seq: firstSeq + start + i,
          origin,
          importId,
          createdBy: actor,
          createdAt: startedAt,
          updatedAt: startedAt,
        };
        batch.create(itemPath(tenantId, datasetId, deps.ids.newId()), item);
      });
      await batch.commit();
      // A 2,000-item upload is several batches: other requests are answered between them.
      await yieldToIo();
    }
    return await deps.store.runTransaction(async (tx) => {
      const snap = await tx.get(path);
      if (!snap) throw new AppError("not-found", `Dataset ${datasetId} was deleted during the upload`);
      const dataset = datasetSchema.parse(snap.data);
      if (dataset.itemCount + contents.length > evalLimits.itemsPerDataset) {
        throw capacityError(dataset, contents.length);
      }
      const report = {
        added: contents.length,
        itemCount: dataset.itemCount + contents.length,
        revision: dataset.revision + 1,
      };
      tx.update(path, {
        itemCount: report.itemCount,
        revision: report.revision,
        pendingImports: dataset.pendingImports.filter((p) => p.id !== importId),
        updatedAt: deps.clock.nowIso(),
      });
      return report;
    });
  } catch (e) {
    // Nothing of a failed import stays: its items go, then its mark (they are invisible meanwhile).
    await discardImport(deps, tenantId, datasetId, importId).catch(() => undefined);
    throw e;
  }
}

async function discardImport(
  deps: Deps,
  tenantId: string,
  datasetId: string,
  importId: string,
): Promise<void> {
  const snaps: DocSnapshot[] = [];
  for await (const snap of everyMatch(
    deps.store,
    { collection: itemsPath(tenantId, datasetId), where: [{ field: "importId", op: "==", value: importId }] },
    450,
  ))
    snaps.push(snap);
  for (let i = 0; i < snaps.length; i += 450) {
    const batch = deps.store.batch();
    for (const snap of snaps.slice(i, i + 450)) batch.delete(snap.path);
    await batch.commit();
  }
  const path = datasetPath(tenantId, datasetId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) return;
    const dataset = datasetSchema.parse(snap.data);
    tx.update(path, { pendingImports: dataset.pendingImports.filter((p) => p.id !== importId) });
  });
}

/** Removes the items of imports whose writer stopped before committing them. */
async function removeAbandonedImports(deps: Deps, tenantId: string, datasetId: string): Promise<void> {
  const dataset = await readDataset(deps, tenantId, datasetId);
  const now = deps.clock.now().getTime();
  for (const pending of dataset.pendingImports) {
    if (now - Date.parse(pending.startedAt) > abandonedAfterMs) {
      await discardImport(deps, tenantId, datasetId, pending.id);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Items from real answers
// ---------------------------------------------------------------------------------------------------

/** What an editor may set on an item taken from a trace or a conversation, over what was taken. */
export const fromAnswerOverrides = z
  .object({
    expectedFacts: z.array(z.string()).optional(),
    referenceAnswer: z.string().nullable().optional(),
    expectedSources: z.array(z.string()).optional(),
    shouldAbstain: z.boolean().optional(),
    tags: z.array(z.string()).optional(),
  })
  .strict();

/** Citation markers as answers carry them ("... [1]"). */
const markers = /\s*\[[^\][\s]{1,12}\]/g;

/**
 * An item from one answer's trace: its question, and the answer's supported sentences as the reference
 * answer the editor can edit (its cited documents as the expected sources). An abstention or a declined
 * question becomes an item that expects an abstention. The question is the trace's, redacted when the
 * agent redacts personal data. A failed turn has no answer to take.
 */
export async function addItemFromTrace(
  deps: Deps,
  caller: Caller,
  datasetId: string,
  traceId: string,
  overrides: z.infer<typeof fromAnswerOverrides> = {},
): Promise<ItemView> {
  await readDataset(deps, caller.tenantId, datasetId);
  const trace = await getTrace(deps, caller.tenantId, traceId);
  if (trace.status === "failed") {
    throw new AppError(
      "failed-precondition",
      `Trace ${traceId} is of a turn that failed: it has no answer to take as the reference; add the item by hand`,
    );
  }
  const abstained = trace.status !== "answered";
  const reference = trace.checks
    .filter((c) => c.verdict === "supported")
    .map((c) => c.sentence)
    .join(" ");
  const input: ItemInput = {
    question: trace.question,
    referenceAnswer: abstained || !reference ? null : reference.slice(0, evalLimits.referenceChars),
    expectedSources: abstained
      ? []
      : [...new Set(trace.citations.map((c) => c.docName))].slice(0, evalLimits.sources),
    shouldAbstain: abstained,
    ...overrides,
  };
  return addItem(deps, caller.tenantId, datasetId, input, caller.uid, {
    kind: "trace",
    traceId,
    conversationId: trace.conversationId,
  });
}

/**
 * A multi-turn item from a conversation's transcript: the end user's messages up to the answer
 * `throughMessageId` (the latest answer by default) become the script, and that answer the reference (an
 * abstention: an item that expects one). The caller must be allowed to read the conversation.
 */
export async function addItemFromConversation(
  deps: Deps,
  caller: Caller,
  datasetId: string,
  conversationId: string,
  options: { throughMessageId?: string; overrides?: z.infer<typeof fromAnswerOverrides> } = {},
): Promise<ItemView> {
  await readDataset(deps, caller.tenantId, datasetId);
  await openConversation(deps, caller, conversationId, "read");
  const messages = await listMessages(deps, caller.tenantId, conversationId);
  const end = options.throughMessageId
    ? messages.findIndex((m) => m.id === options.throughMessageId && m.role === "assistant")
    : messages.findLastIndex((m) => m.role === "assistant");
  if (end < 0) {
    throw new AppError(
      options.throughMessageId ? "not-found" : "failed-precondition",
      options.throughMessageId
        ? `Answer ${options.throughMessageId} not found in conversation ${conversationId}`
        : `Conversation ${conversationId} has no answer yet to take as the reference`,
    );
  }
  const answer = messages[end] as (typeof messages)[number];
  const turns = messages
    .slice(0, end)
    .filter((m) => m.role === "user")
    .map((m) => m.content);
  if (turns.length > evalLimits.turnsPerScript) {
    throw new AppError(
      "invalid-argument",
      `The transcript up to that answer holds ${turns.length} messages of the end user; a script holds at most ` +
        `${evalLimits.turnsPerScript}: take an earlier answer (throughMessageId)`,
    );
  }
  const reference = answer.content.replace(markers, "").trim();
  const input: ItemInput = {
    ...(turns.length === 1 ? { question: turns[0] } : { turns }),
    referenceAnswer: answer.abstained || !reference ? null : reference.slice(0, evalLimits.referenceChars),
    expectedSources: answer.abstained
      ? []
      : [...new Set(answer.citations.map((c) => c.docName))].slice(0, evalLimits.sources),
    shouldAbstain: answer.abstained,
    ...options.overrides,
  };
  return addItem(deps, caller.tenantId, datasetId, input, caller.uid, {
    kind: "conversation",
    traceId: answer.traceId,
    conversationId,
  });
}
