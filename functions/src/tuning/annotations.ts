/**
 * Annotations, the Tuning side: an editor (`agents.manage`) corrects an answer, named by its trace. The
 * correction is kept with the question and the answer as they were (accountability/annotations.ts holds the
 * schema), becomes an item of the agent's "Annotations" eval dataset (or of a dataset the editor names), a
 * training example for the fine-tuning export (export.ts), and, with `serveAsReply`, the answer the agent gives
 * to near-identical questions from then on (an "annotation reply", see agents/turn.ts).
 *
 * One annotation per answer: its id is the answer's trace id, so a second correction is a change (PATCH), and a
 * retried creation cannot make two. Creating one writes the eval item first and the annotation (with its audit
 * entry) in one transaction after it; if that transaction fails, the item is removed again, so a failure leaves
 * neither. The eval item is a copy taken when the annotation is made: later edits of either do not change the
 * other, and deleting an annotation leaves the item in its dataset.
 *
 * `tenants/{t}/annotationDatasets/{agentId}`: which eval dataset is an agent's "Annotations" dataset (made on its
 * first annotation; made again if it was deleted).
 */
import { z } from "zod";
import {
  annotationPath,
  annotationSchema,
  annotationsPath,
  forgetAnnotationIndex,
  maxAnnotationNoteChars,
  maxCorrectedChars,
  maxServedAnnotations,
  normalizeQuestion,
  type Annotation,
  type AnnotationView,
} from "../accountability/annotations.js";
import { getTrace } from "../accountability/traces.js";
import { getAgent } from "../agents/agents.js";
import { messagePath, messageSchema } from "../agents/schema.js";
import { addItem, createDataset, deleteDataset, deleteItem, getDataset } from "../sandbox/datasets.js";
import { checkId, tenantPath, type Caller } from "../platform/caller.js";
import { auditActor, changedFields, hasChanges, recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { log } from "../platform/log.js";
import type { DocSnapshot, Filter } from "../platform/ports.js";
import { validate } from "../platform/validation.js";

const correctedSchema = z
  .string({ error: "corrected must be text" })
  .trim()
  .min(1, "corrected must not be empty: write the answer the agent should have given")
  .max(maxCorrectedChars, `corrected is at most ${maxCorrectedChars.toLocaleString("en")} characters`);
const noteSchema = z
  .string({ error: "note must be text" })
  .trim()
  .max(maxAnnotationNoteChars, `note is at most ${maxAnnotationNoteChars.toLocaleString("en")} characters`);
const serveSchema = z.boolean({ error: "serveAsReply must be true or false" });

export const annotationInput = z
  .object({
    traceId: z.string().regex(idPattern, "traceId must be the id of an answer's trace"),
    corrected: correctedSchema,
    note: noteSchema.default(""),
    serveAsReply: serveSchema.default(false),
    /** The eval dataset the correction becomes an item of; the agent's "Annotations" dataset when omitted. */
    datasetId: z.string().regex(idPattern, "datasetId must be an eval dataset id").optional(),
  })
  .strict();
export type AnnotationInput = z.input<typeof annotationInput>;

export const annotationPatch = z
  .object({ corrected: correctedSchema, note: noteSchema, serveAsReply: serveSchema })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, "give at least one of corrected, note or serveAsReply");
export type AnnotationPatch = z.input<typeof annotationPatch>;

export const annotationDatasetPath = (tenantId: string, agentId: string): string =>
  `${tenantPath(tenantId)}/annotationDatasets/${checkId(agentId, "agent id")}`;

const datasetRefSchema = z.object({ datasetId: z.string(), createdAt: z.string() });

/** The agent's "Annotations" eval dataset, made when it has none (or its dataset was deleted). */
async function annotationsDataset(deps: Deps, caller: Caller, agentId: string): Promise<string> {
  const refPath = annotationDatasetPath(caller.tenantId, agentId);
  const existing = await deps.store.get(refPath);
  /** The dataset the record named, deleted since. */
  let stale: string | null = null;
  if (existing) {
    const { datasetId } = datasetRefSchema.parse(existing.data);
    const found = await getDataset(deps, caller.tenantId, datasetId).catch((e: unknown) => {
      if (isAppError(e) && e.code === "not-found") return null;
      throw e;
    });
    if (found) return datasetId;
    stale = datasetId;
  }
  const agent = await getAgent(deps, caller.tenantId, agentId).catch(() => null);
  const made = await createDataset(
    deps,
    caller.tenantId,
    {
      name: `Annotations: ${agent?.name ?? agentId}`.slice(0, 120),
      description:
        `Corrections editors made to answers of agent ${agentId}, added as they are made (one item per ` +
        "annotation, with the corrected answer as the reference). Edit or remove items freely.",
    },
    caller.uid,
  );
  // Two first annotations at once each made a dataset: the first to record its own is kept, the other removed.
  const kept = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(refPath);
    const current = snap ? datasetRefSchema.parse(snap.data).datasetId : null;
    if (current && current !== stale) return current;
    tx.set(refPath, { datasetId: made.id, createdAt: deps.clock.nowIso() });
    return made.id;
  });
  if (kept !== made.id) await deleteDataset(deps, caller.tenantId, made.id).catch(() => undefined);
  return kept;
}

const summary = (a: Annotation) => ({
  traceId: a.traceId,
  agentId: a.agentId,
  serveAsReply: a.serveAsReply,
  corrected: a.corrected,
  note: a.note,
});

/** Refuses a correction that would put an agent over the number of annotations served as replies. */
async function assertRoomToServe(deps: Deps, tenantId: string, agentId: string): Promise<void> {
  const served = await deps.store.count({
    collection: annotationsPath(tenantId),
    where: [
      { field: "agentId", op: "==", value: agentId },
      { field: "serveAsReply", op: "==", value: true },
    ],
  });
  if (served >= maxServedAnnotations) {
    throw new AppError(
      "resource-exhausted",
      `Agent ${agentId} already serves ${maxServedAnnotations.toLocaleString("en")} annotations as replies; ` +
        "turn serveAsReply off on some first",
    );
  }
}

/**
 * Corrects an answer: the annotation, its eval item and the audit entry. Refused: another tenant's trace or one
 * that does not exist (404), a failed turn's (nothing to correct), an answer already annotated (409: change that
 * annotation instead), a dataset that does not exist (404).
 */
export async function createAnnotation(
  deps: Deps,
  caller: Caller,
  input: AnnotationInput,
): Promise<AnnotationView> {
  const parsed = validate(annotationInput, input, "request body");
  const { tenantId } = caller;
  const trace = await getTrace(deps, tenantId, parsed.traceId);
  if (trace.status === "failed" || trace.messageId === null) {
    throw new AppError(
      "failed-precondition",
      `Trace ${parsed.traceId} is of a turn that failed: it has no answer to correct`,
    );
  }
  const path = annotationPath(tenantId, parsed.traceId);
  const already = () =>
    new AppError(
      "already-exists",
      `The answer of trace ${parsed.traceId} is already annotated: change it with PATCH /v1/annotations/${parsed.traceId}`,
    );
  if (await deps.store.get(path)) throw already();
  if (parsed.serveAsReply) await assertRoomToServe(deps, tenantId, trace.agentId);
  const message = await deps.store.get(messagePath(tenantId, trace.conversationId, trace.messageId));
  const original = message ? messageSchema.parse(message.data).content : trace.generation.rawContent;
  const datasetId = parsed.datasetId ?? (await annotationsDataset(deps, caller, trace.agentId));
  const item = await addItem(
    deps,
    tenantId,
    datasetId,
    {
      question: trace.question,
      referenceAnswer: parsed.corrected,
      shouldAbstain: false,
      tags: ["annotation"],
    },
    caller.uid,
    { kind: "annotation", traceId: parsed.traceId, conversationId: trace.conversationId },
  );
  const now = deps.clock.nowIso();
  const annotation: Annotation = {
    traceId: parsed.traceId,
    agentId: trace.agentId,
    conversationId: message ? trace.conversationId : null,
    messageId: message ? trace.messageId : null,
    question: trace.question,
    questionKey: normalizeQuestion(trace.question).join(" "),
    original,
    corrected: parsed.corrected,
    note: parsed.note,
    serveAsReply: parsed.serveAsReply,
    evalItem: { datasetId, itemId: item.id },
    by: caller.uid,
    createdAt: now,
    updatedBy: caller.uid,
    updatedAt: now,
  };
  try {
    await deps.store.runTransaction(async (tx) => {
      if (await tx.get(path)) throw already();
      tx.create(path, annotation);
      await recordAudit(
        deps,
        {
          tenantId,
          actor: auditActor(caller),
          action: "annotation.create",
          target: { type: "annotation", id: parsed.traceId },
          after: summary(annotation),
        },
        tx,
      );
    });
  } catch (e) {
    // Nothing half-written: the item made for it goes too.
    await deleteItem(deps, tenantId, datasetId, item.id).catch((cleanup: unknown) =>
      log.error("could not remove the eval item of an annotation that was not saved", { err: cleanup }),
    );
    throw e;
  }
  forgetAnnotationIndex(deps, tenantId, trace.agentId);
  return { id: parsed.traceId, ...annotation };
}

export async function getAnnotation(
  deps: Deps,
  tenantId: string,
  annotationId: string,
): Promise<AnnotationView> {
  const snap = await deps.store.get(annotationPath(tenantId, annotationId));
  if (!snap) throw new AppError("not-found", `Annotation ${annotationId} not found`);
  return { id: snap.id, ...annotationSchema.parse(snap.data) };
}

/** Changes the correction, its note, or whether it is served as a reply (audited). */
export async function updateAnnotation(
  deps: Deps,
  caller: Caller,
  annotationId: string,
  patch: AnnotationPatch,
): Promise<AnnotationView> {
  const parsed = validate(annotationPatch, patch, "request body");
  const path = annotationPath(caller.tenantId, annotationId);
  const current = await getAnnotation(deps, caller.tenantId, annotationId);
  if (parsed.serveAsReply && !current.serveAsReply)
    await assertRoomToServe(deps, caller.tenantId, current.agentId);
  const updated = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Annotation ${annotationId} not found`);
    const before = annotationSchema.parse(snap.data);
    const after: Annotation = { ...before, ...parsed, updatedBy: caller.uid, updatedAt: deps.clock.nowIso() };
    const diff = changedFields(summary(before), summary(after), []);
    if (!hasChanges(diff)) return before;
    tx.set(path, after);
    await recordAudit(
      deps,
      {
        tenantId: caller.tenantId,
        actor: auditActor(caller),
        action: "annotation.update",
        target: { type: "annotation", id: annotationId },
        ...diff,
      },
      tx,
    );
    return after;
  });
  forgetAnnotationIndex(deps, caller.tenantId, current.agentId);
  return { id: annotationId, ...updated };
}

/** Deletes an annotation: it is no longer served; its eval item stays in its dataset. */
export async function deleteAnnotation(deps: Deps, caller: Caller, annotationId: string): Promise<void> {
  const path = annotationPath(caller.tenantId, annotationId);
  const agentId = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Annotation ${annotationId} not found`);
    const before = annotationSchema.parse(snap.data);
    tx.delete(path);
    await recordAudit(
      deps,
      {
        tenantId: caller.tenantId,
        actor: auditActor(caller),
        action: "annotation.delete",
        target: { type: "annotation", id: annotationId },
        before: summary(before),
      },
      tx,
    );
    return before.agentId;
  });
  forgetAnnotationIndex(deps, caller.tenantId, agentId);
}

const pageSize = "must be a whole number from 1 to 200";

export const annotationListQuery = z
  .object({
    agentId: z.string().regex(idPattern, "must be an agent id").optional(),
    limit: z.coerce.number({ error: pageSize }).int(pageSize).min(1, pageSize).max(200, pageSize).default(50),
    /** The `nextCursor` of the previous page. */
    cursor: z.string().regex(idPattern, "must be the nextCursor of a previous page").optional(),
  })
  .strict();

/**
 * A page of the workspace's annotations, newest first, of one agent's answers with `agentId`. Filtering by agent
 * with this order needs the composite index on annotations (agentId, createdAt desc) in firestore.indexes.json.
 */
export async function listAnnotations(
  deps: Deps,
  tenantId: string,
  query: Record<string, string | undefined> = {},
): Promise<{ annotations: AnnotationView[]; nextCursor: string | null }> {
  const q = validate(annotationListQuery, query, "query parameter");
  let after: DocSnapshot | undefined;
  if (q.cursor) {
    const snap = await deps.store.get(annotationPath(tenantId, q.cursor));
    if (!snap) {
      throw new AppError(
        "invalid-argument",
        "Invalid query parameter: cursor: must be the nextCursor of a previous page (that annotation was deleted: start again)",
      );
    }
    after = snap;
  }
  const where: Filter[] = q.agentId ? [{ field: "agentId", op: "==", value: q.agentId }] : [];
  const snaps = await deps.store.query({
    collection: annotationsPath(tenantId),
    where,
    orderBy: [{ field: "createdAt", direction: "desc" }],
    limit: q.limit + 1,
    ...(after ? { startAfter: after } : {}),
  });
  const page = snaps.slice(0, q.limit).map((s) => ({ id: s.id, ...annotationSchema.parse(s.data) }));
  return { annotations: page, nextCursor: snaps.length > q.limit ? (page.at(-1)?.id ?? null) : null };
}
