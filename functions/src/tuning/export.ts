/**
 * Training data from what worked: an export of a workspace's answers as OpenAI fine-tuning JSONL (chat format),
 * stored as three files (training, validation, and a manifest of where each line came from) with a record of what
 * went in, what was left out and why, token counts, a cost estimate and the validator's report.
 *
 * Examples come from:
 * - answers rated thumbs-up (accountability/feedback.ts), as they were given;
 * - annotated answers (accountability/annotations.ts): the editor's correction replaces the answer, whatever its
 *   rating. An answer rated thumbs-down without a correction is left out (and counted): it shows what not to say,
 *   and the chat format has no place for that.
 *
 * One example per answer: the system message is the instructions of the agent version that answered, as they were
 * at that turn (the trace keeps their SHA-256; an answer whose instructions cannot be recovered, e.g. a draft
 * edited since, is left out rather than trained under instructions it never had); then the conversation before
 * the answer (the last `maxContextMessages` messages), its earlier answers marked `weight: 0` so only the rated or
 * corrected answer is learned; then that answer. Citation markers ([1], [T2]) are removed from answers: the
 * passages they point to are not in the example (the trace keeps only their ids, and documents change), and a
 * model trained on markers without passages learns to invent them. Every message goes through
 * `redactForTraining` (redact-pii.ts).
 *
 * The split is by conversation, so no conversation has examples on both sides: a conversation goes to validation
 * when a hash of (seed, conversation id) falls below the validation share. The same seed and share always put a
 * conversation on the same side, in every export; the share realised is close to the one asked for, not exact.
 *
 * An export is written whole or not at all: files first, then the index of its conversations (how erasure and
 * retention find it, withdraw.ts), then the record; if the record cannot be written the files and index entries are
 * removed.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { AnnotationView } from "../accountability/annotations.js";
import { listFeedback, type FeedbackView } from "../accountability/feedback.js";
import { tracePath, traceSchema, type Trace } from "../accountability/schema.js";
import { getAgent, resolveConfig } from "../agents/agents.js";
import { listMessages, type MessageView } from "../agents/conversations.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { log } from "../platform/log.js";
import { deleteEveryMatch } from "../platform/paging.js";
import { validate } from "../platform/validation.js";
import { listAnnotations } from "./annotations.js";
import { exportFigures } from "./export-figures.js";
import { storeExportFile } from "./export-files.js";
import { redactForTraining, type TrainingRedaction } from "./redact-pii.js";
import {
  tuningExportConversationPath,
  tuningExportConversationsPath,
  tuningExportFilePath,
  tuningExportFilesPrefix,
  tuningExportPath,
  tuningExportSchema,
  tuningExportsPath,
  type ExportFile,
  type ManifestEntry,
  type TuningExport,
  type TuningExportConversation,
  type TuningExportView,
} from "./schema.js";
import { chatExampleTokens, loadTokenCounter, maxTrainingExampleTokens, type CountTokens } from "./tokens.js";
import { withdrawFromExport } from "./withdraw.js";

/** The most examples one export holds; past it the export is refused, asking for narrower filters. */
export const maxExportExamples = 50_000;
/** The most bytes the two example files of one export hold together. */
export const maxExportBytes = 200 * 1024 * 1024;
/** Messages of the conversation before the answer that an example keeps (older ones are left out). */
export const maxContextMessages = 20;
/** Conversations whose messages are read at the same time. */
const conversationReads = 16;
/** Index entries written or deleted per batch (Firestore allows 500 writes). */
const indexBatch = 400;
/** Ratings read before giving up on an export whose filters select far too much. */
const maxCandidates = 4 * maxExportExamples;

const instant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: "must be an ISO date (2026-05-01) or date-time with an offset (2026-05-01T09:30:00Z)",
  })
  .transform((s) => new Date(s).toISOString());

export const createExportInput = z
  .object({
    agentId: z.string().regex(idPattern, "must be an agent id").optional(),
    /** Answers given at or after this instant. */
    from: instant.optional(),
    /** Answers given before this instant (exclusive). */
    to: instant.optional(),
    /** Leave out rated answers whose confidence was below this (corrections are always kept). */
    minConfidence: z.number().min(0).max(1).optional(),
    validationShare: z
      .number()
      .min(0, "validationShare is a share from 0 to 0.5")
      .max(0.5, "validationShare is a share from 0 to 0.5")
      .default(0.1),
    seed: z
      .union([z.string().min(1).max(100), z.number().int()], { error: "seed is a string or a whole number" })
      .transform(String)
      .default("0"),
    include: z
      .object({ rated: z.boolean().default(true), annotations: z.boolean().default(true) })
      .strict()
      .default({ rated: true, annotations: true }),
  })
  .strict();
export type CreateExportInput = z.input<typeof createExportInput>;

/** Why a candidate answer did not become an example. */
export type ExclusionReason =
  /** Rated thumbs-down and never corrected. */
  | "ratedDownWithoutCorrection"
  /** Rated up with a confidence below `minConfidence` (or none: a declined or failed answer). */
  | "belowMinConfidence"
  /** Given outside [from, to). */
  | "outsideDates"
  /** The instructions of that turn cannot be recovered (the draft or its prompt changed since). */
  | "instructionsUnavailable"
  /** The trace, the conversation or the message is gone (retention, erasure) or does not match. */
  | "answerUnavailable"
  /** Nothing left once citation markers and personal data were removed. */
  | "emptyAfterRedaction"
  /** Longer than a model trains on even without the earlier conversation. */
  | "tooLong";

interface Candidate {
  readonly traceId: string;
  readonly source: "rated" | "annotation";
  /** The correction's text and id, for an annotation. */
  readonly corrected?: string;
  readonly annotationId?: string;
}

interface ChatLine {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
  readonly weight?: 0;
}

interface Example {
  readonly conversationId: string;
  readonly seq: number;
  readonly traceId: string;
  readonly messageId: string;
  readonly agentId: string;
  readonly agentVersion: number | "draft";
  readonly source: "rated" | "annotation";
  readonly annotationId: string | null;
  readonly messages: readonly ChatLine[];
  readonly tokens: number;
}

/** Citation markers as answers carry them: [1], [12], [T1] (tool outputs), possibly run together. */
const CITATION_MARKERS = / ?\[T?[1-9]\d{0,2}\](?:\[T?[1-9]\d{0,2}\])*/g;

export function stripCitationMarkers(text: string): string {
  return text
    .replace(CITATION_MARKERS, "")
    .replace(/ +([.,;:!?])/g, "$1")
    .trim();
}

/** A conversation's position in [0, 1) for the split: a hash of the seed and its id. */
export function splitPosition(seed: string, conversationId: string): number {
  const digest = createHash("sha256").update(`${seed}\u0000${conversationId}`, "utf8").digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function isValidationConversation(seed: string, share: number, conversationId: string): boolean {
  return splitPosition(seed, conversationId) < share;
}

const sha256 = (text: string | Uint8Array): string => createHash("sha256").update(text).digest("hex");

/** What was left out and why, and what was redacted in the files. */
class Tally {
  readonly excluded: Partial<Record<ExclusionReason, number>> = {};
  readonly redactions: Record<string, number> = {};
  /** A text is redacted once however many examples repeat it (the instructions, earlier turns). */
  private readonly redacted = new Map<string, TrainingRedaction>();
  exclude(reason: ExclusionReason, n = 1): void {
    this.excluded[reason] = (this.excluded[reason] ?? 0) + n;
  }
  redact(text: string): TrainingRedaction {
    let r = this.redacted.get(text);
    if (!r) {
      r = redactForTraining(text);
      this.redacted.set(text, r);
    }
    return r;
  }
  /** Counts the replacements in what went into a file (a text in several examples, each time). */
  count(r: TrainingRedaction): void {
    for (const [kind, n] of Object.entries(r.counts))
      this.redactions[kind] = (this.redactions[kind] ?? 0) + n;
  }
}

/** Every feedback record of one rating for the export's agent, from `from` on (ratings come after answers). */
async function allFeedback(
  deps: Deps,
  tenantId: string,
  rating: "up" | "down",
  agentId: string | undefined,
  from: string | undefined,
): Promise<FeedbackView[]> {
  const out: FeedbackView[] = [];
  let cursor: string | undefined;
  do {
    const page = await listFeedback(deps, tenantId, {
      rating,
      limit: 200,
      ...(agentId ? { agentId } : {}),
      ...(from ? { from } : {}),
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.feedback);
    if (out.length > maxCandidates) {
      throw new AppError(
        "out-of-range",
        `These filters select more than ${maxCandidates.toLocaleString("en")} rated answers; an export holds at most ${maxExportExamples.toLocaleString("en")} examples. Narrow it with agentId, from and to.`,
      );
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** Every correction (annotation) of the export's agent's answers, a page at a time. */
async function allCorrections(
  deps: Deps,
  tenantId: string,
  agentId: string | undefined,
): Promise<AnnotationView[]> {
  const out: AnnotationView[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAnnotations(deps, tenantId, {
      limit: "200",
      ...(agentId ? { agentId } : {}),
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.annotations);
    if (out.length > maxCandidates) {
      throw new AppError(
        "out-of-range",
        `These filters select more than ${maxCandidates.toLocaleString("en")} annotations; an export holds at most ${maxExportExamples.toLocaleString("en")} examples. Narrow it with agentId, from and to.`,
      );
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** Reads traces by id, a chunk at a time. */
async function readTraces(deps: Deps, tenantId: string, ids: readonly string[]): Promise<Map<string, Trace>> {
  const traces = new Map<string, Trace>();
  for (let i = 0; i < ids.length; i += 300) {
    const chunk = ids.slice(i, i + 300);
    const snaps = await deps.store.getAll(chunk.map((id) => tracePath(tenantId, id)));
    snaps.forEach((snap, j) => {
      if (!snap) return;
      const parsed = traceSchema.safeParse(snap.data);
      if (parsed.success) traces.set(chunk[j] as string, parsed.data);
    });
  }
  return traces;
}

/**
 * The instructions of the agent version a trace ran with, if they can be recovered: the version's (or the draft's)
 * resolved instructions, when their SHA-256 is the one the trace recorded.
 */
function instructionsResolver(deps: Deps, tenantId: string) {
  const cache = new Map<string, Promise<string | null>>();
  return (trace: Trace): Promise<string | null> => {
    const key = `${trace.agentId}/${trace.agentVersion}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = (async () => {
        try {
          const agent = await getAgent(deps, tenantId, trace.agentId);
          return (await resolveConfig(deps, tenantId, agent, trace.agentVersion)).config.instructions;
        } catch (e) {
          log.debug("tuning export: instructions of a version could not be read", { err: e, key });
          return null;
        }
      })();
      cache.set(key, pending);
    }
    return pending.then((text) =>
      text !== null && sha256(text) === trace.prompt.instructionsSha256 ? text : null,
    );
  };
}

/** The example of one answer, or why there is none. */
function buildExample(
  candidate: Candidate,
  trace: Trace,
  instructions: string,
  messages: readonly MessageView[],
  tally: Tally,
  countTokens: CountTokens,
): Example | ExclusionReason {
  const index = messages.findIndex((m) => m.id === trace.messageId);
  const answer = messages[index];
  if (!answer || answer.role !== "assistant" || answer.traceId !== candidate.traceId)
    return "answerUnavailable";
  const question = messages[index - 1];
  if (!question || question.role !== "user") return "answerUnavailable";
  // Each line with the redaction it came from, counted only if the line ends up in the example.
  const answered = tally.redact(candidate.corrected ?? answer.content);
  const target = {
    line: { role: "assistant", content: stripCitationMarkers(answered.text) } as ChatLine,
    r: answered,
  };
  if (target.line.content === "") return "emptyAfterRedaction";
  const instructed = tally.redact(instructions);
  const system = { line: { role: "system", content: instructed.text.trim() } as ChatLine, r: instructed };
  let context = messages
    .slice(Math.max(0, index - maxContextMessages), index)
    .map((m) => {
      const r = tally.redact(m.content);
      const line: ChatLine =
        m.role === "user"
          ? { role: "user", content: r.text.trim() }
          : { role: "assistant", content: stripCitationMarkers(r.text), weight: 0 };
      return { line, r };
    })
    .filter((c) => c.line.content !== "");
  for (;;) {
    // The context opens with the end user's words; the answer right after the question it answers.
    while (context.length > 0 && context[0]?.line.role !== "user") context = context.slice(1);
    const parts = [...(system.line.content ? [system] : []), ...context, target];
    const lines = parts.map((p) => p.line);
    const tokens = chatExampleTokens(lines, countTokens);
    if (tokens <= maxTrainingExampleTokens) {
      for (const p of parts) tally.count(p.r);
      return {
        conversationId: trace.conversationId,
        seq: answer.seq,
        traceId: candidate.traceId,
        messageId: answer.id,
        agentId: trace.agentId,
        agentVersion: trace.agentVersion,
        source: candidate.source,
        annotationId: candidate.annotationId ?? null,
        messages: lines,
        tokens,
      };
    }
    // Too long for training: drop the oldest turn of the conversation; with none left, the example goes.
    if (context.length <= 1) return "tooLong";
    context = context.slice(1);
  }
}

const jsonl = (examples: readonly Example[]): string =>
  examples.map((e) => `${JSON.stringify({ messages: e.messages })}\n`).join("");

/**
 * Builds and stores an export of the tenant's rated and corrected answers. Refused (nothing written) when the
 * filters select nothing to learn from, or more than `maxExportExamples` examples.
 */
export async function createTuningExport(
  deps: Deps,
  tenantId: string,
  input: CreateExportInput,
  by: string,
  limits: { readonly maxExamples?: number } = {},
): Promise<TuningExportView> {
  const q = validate(createExportInput, input, "request body");
  const maxExamples = limits.maxExamples ?? maxExportExamples;
  if (q.from && q.to && q.from >= q.to) {
    throw new AppError(
      "invalid-argument",
      `Invalid request body: from (${q.from}) must be before to (${q.to})`,
    );
  }
  if (!q.include.rated && !q.include.annotations) {
    throw new AppError(
      "invalid-argument",
      "Invalid request body: include: choose rated answers, annotations or both",
    );
  }
  // Another tenant's agent, or none, is not found before anything is read.
  if (q.agentId) await getAgent(deps, tenantId, q.agentId);
  const tally = new Tally();

  // Candidates by trace: a correction replaces the answer whatever its rating.
  const candidates = new Map<string, Candidate>();
  if (q.include.annotations) {
    for (const a of await allCorrections(deps, tenantId, q.agentId)) {
      candidates.set(a.traceId, {
        traceId: a.traceId,
        source: "annotation",
        corrected: a.corrected,
        annotationId: a.id,
      });
    }
  }
  const corrected = new Set(candidates.keys());
  const ratedUp = q.include.rated ? await allFeedback(deps, tenantId, "up", q.agentId, q.from) : [];
  for (const f of ratedUp)
    if (!candidates.has(f.traceId)) candidates.set(f.traceId, { traceId: f.traceId, source: "rated" });
  if (q.include.rated) {
    const down = await allFeedback(deps, tenantId, "down", q.agentId, q.from);
    tally.exclude("ratedDownWithoutCorrection", down.filter((f) => !corrected.has(f.traceId)).length);
  }
  // The traces say when, by which agent version, under which instructions, and in which conversation.
  const traces = await readTraces(deps, tenantId, [...candidates.keys()]);
  const kept: { candidate: Candidate; trace: Trace }[] = [];
  for (const candidate of candidates.values()) {
    const trace = traces.get(candidate.traceId);
    if (!trace || trace.messageId === null || trace.status === "failed") {
      tally.exclude("answerUnavailable");
      continue;
    }
    if (q.agentId && trace.agentId !== q.agentId) continue; // a correction of another agent's answer
    if ((q.from && trace.createdAt < q.from) || (q.to && trace.createdAt >= q.to)) {
      tally.exclude("outsideDates");
      continue;
    }
    if (candidate.source === "rated" && q.minConfidence !== undefined) {
      const confidence = trace.confidence?.value ?? null;
      if (confidence === null || confidence < q.minConfidence) {
        tally.exclude("belowMinConfidence");
        continue;
      }
    }
    kept.push({ candidate, trace });
  }
  if (kept.length > maxExamples) {
    throw new AppError(
      "out-of-range",
      `An export holds at most ${maxExamples.toLocaleString("en")} examples; these filters select ${kept.length.toLocaleString("en")}. Narrow it with agentId, from and to.`,
    );
  }

  // Conversation by conversation: each one's messages are read once.
  const byConversation = new Map<string, { candidate: Candidate; trace: Trace }[]>();
  for (const k of kept) {
    const list = byConversation.get(k.trace.conversationId) ?? [];
    list.push(k);
    byConversation.set(k.trace.conversationId, list);
  }
  const countTokens = await loadTokenCounter();
  const instructionsOf = instructionsResolver(deps, tenantId);
  const examples: Example[] = [];
  const conversations = [...byConversation];
  const load = async (conversationId: string): Promise<MessageView[] | null> => {
    try {
      return await listMessages(deps, tenantId, conversationId);
    } catch (e) {
      if (e instanceof AppError && e.code === "not-found") return null; // gone (retention, erasure)
      throw e;
    }
  };
  for (let i = 0; i < conversations.length; i += conversationReads) {
    const chunk = conversations.slice(i, i + conversationReads);
    // A few conversations are read at once: in Firestore each read is a round trip.
    const loaded = await Promise.all(chunk.map(([conversationId]) => load(conversationId)));
    for (const [j, [, items]] of chunk.entries()) {
      const messages = loaded[j];
      if (!messages) {
        tally.exclude("answerUnavailable", items.length);
        continue;
      }
      for (const { candidate, trace } of items) {
        const instructions = await instructionsOf(trace);
        if (instructions === null) {
          tally.exclude("instructionsUnavailable");
          continue;
        }
        const built = buildExample(candidate, trace, instructions, messages, tally, countTokens);
        if (typeof built === "string") tally.exclude(built);
        else examples.push(built);
      }
    }
  }

  if (examples.length === 0) {
    const left = Object.entries(tally.excluded)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${n} ${reason}`);
    const sources = [
      q.include.rated ? "answers rated thumbs-up" : "",
      q.include.annotations ? "corrected answers (annotations)" : "",
    ]
      .filter(Boolean)
      .join(" or ");
    throw new AppError(
      "failed-precondition",
      `Nothing to export: no ${sources} match these filters${q.agentId ? ` for agent ${q.agentId}` : ""}.` +
        (left.length > 0 ? ` Left out: ${left.join(", ")}.` : "") +
        (tally.excluded.ratedDownWithoutCorrection
          ? " Answers rated thumbs-down become examples once an editor corrects them (an annotation)."
          : ""),
      { excluded: tally.excluded },
    );
  }

  // The split, and a stable order: conversations by their split position, answers in conversation order.
  const position = new Map<string, number>();
  for (const e of examples) {
    if (!position.has(e.conversationId))
      position.set(e.conversationId, splitPosition(q.seed, e.conversationId));
  }
  examples.sort(
    (a, b) =>
      (position.get(a.conversationId) as number) - (position.get(b.conversationId) as number) ||
      a.conversationId.localeCompare(b.conversationId) ||
      a.seq - b.seq,
  );
  const isValidation = (e: Example) => (position.get(e.conversationId) as number) < q.validationShare;
  const train = examples.filter((e) => !isValidation(e));
  const validation = examples.filter(isValidation);

  const trainText = jsonl(train);
  const validationText = jsonl(validation);
  const bytes = Buffer.byteLength(trainText) + Buffer.byteLength(validationText);
  if (bytes > maxExportBytes) {
    throw new AppError(
      "out-of-range",
      `This export would be ${(bytes / 1024 / 1024).toFixed(0)} MB; at most ${maxExportBytes / 1024 / 1024} MB are kept. Narrow it with agentId, from and to.`,
    );
  }
  const manifestEntries: ManifestEntry[] = [
    ...train.map((e, i) => ({ file: "train" as const, line: i + 1, e })),
    ...validation.map((e, i) => ({ file: "validation" as const, line: i + 1, e })),
  ].map(({ file, line, e }) => ({
    file,
    line,
    conversationId: e.conversationId,
    messageId: e.messageId,
    traceId: e.traceId,
    agentId: e.agentId,
    agentVersion: e.agentVersion,
    source: e.source,
    annotationId: e.annotationId,
    tokens: e.tokens,
  }));
  const manifestText = manifestEntries.map((entry) => `${JSON.stringify(entry)}\n`).join("");
  const figures = exportFigures({
    entries: manifestEntries,
    trainText,
    validationText,
    validationShare: q.validationShare,
    excluded: tally.excluded,
    countTokens,
  });

  const id = deps.ids.newId();
  const perConversation = new Map<string, number>();
  for (const e of examples)
    perConversation.set(e.conversationId, (perConversation.get(e.conversationId) ?? 0) + 1);
  const createdAt = deps.clock.nowIso();
  const indexEntries: TuningExportConversation[] = [...perConversation].map(([conversationId, n]) => ({
    exportId: id,
    conversationId,
    examples: n,
    createdAt,
  }));
  const files = { train: trainText, validation: validationText, manifest: manifestText } as const;
  const stored: Partial<Record<ExportFile, TuningExport["files"]["train"]>> = {};
  try {
    for (const file of ["train", "validation", "manifest"] as const) {
      const path = tuningExportFilePath(tenantId, id, file);
      stored[file] = await storeExportFile(
        deps,
        path,
        files[file],
        file === "train" ? train.length : file === "validation" ? validation.length : examples.length,
        { tenantId, exportId: id, file },
      );
    }
    // The index erasure and retention find the export by is written before the record: an export that can be
    // read is always one they can find.
    for (let i = 0; i < indexEntries.length; i += indexBatch) {
      const batch = deps.store.batch();
      for (const entry of indexEntries.slice(i, i + indexBatch)) {
        batch.set(tuningExportConversationPath(tenantId, id, entry.conversationId), entry);
      }
      await batch.commit();
    }
    const record: TuningExport = {
      agentId: q.agentId ?? null,
      filters: {
        from: q.from ?? null,
        to: q.to ?? null,
        minConfidence: q.minConfidence ?? null,
        include: q.include,
      },
      validationShare: q.validationShare,
      seed: q.seed,
      counts: figures.counts,
      excluded: { ...tally.excluded },
      redactions: { ...tally.redactions },
      tokens: figures.tokens,
      cost: figures.cost,
      validation: figures.validation,
      files: stored as TuningExport["files"],
      notes: figures.notes,
      createdBy: by,
      createdAt,
      revision: 0,
      withdrawn: null,
    };
    await deps.store.create(tuningExportPath(tenantId, id), tuningExportSchema.parse(record));
  } catch (e) {
    // Nothing half-written: the files and index entries of an export without a record are removed.
    await deleteIndexEntries(deps, tenantId, id).catch((err: unknown) => {
      log.error("could not remove the index of a failed tuning export", { err, exportId: id });
    });
    await Promise.all(
      (["train", "validation", "manifest"] as const).map((file) =>
        deps.blobs.delete(tuningExportFilePath(tenantId, id, file)).catch((err: unknown) => {
          log.error("could not remove a file of a failed tuning export", { err, exportId: id, file });
        }),
      ),
    );
    throw e;
  }
  // A conversation erased while this export read it: its purge looked for exports before this one could be
  // found. Its answers' traces are deleted before that look (privacy/purge.ts), so one missing now is withdrawn
  // here; one still there means the purge has yet to look, and will find this export.
  const gone = await conversationsErasedMeanwhile(deps, tenantId, examples);
  if (gone.length > 0) {
    await withdrawFromExport(deps, tenantId, id, gone);
    for (let i = 0; i < gone.length; i += indexBatch) {
      const batch = deps.store.batch();
      for (const conversationId of gone.slice(i, i + indexBatch))
        batch.delete(tuningExportConversationPath(tenantId, id, conversationId));
      await batch.commit();
    }
  }
  return getTuningExport(deps, tenantId, id);
}

async function conversationsErasedMeanwhile(
  deps: Deps,
  tenantId: string,
  examples: readonly Example[],
): Promise<string[]> {
  const present = await readTraces(
    deps,
    tenantId,
    examples.map((e) => e.traceId),
  );
  return [...new Set(examples.filter((e) => !present.has(e.traceId)).map((e) => e.conversationId))];
}

/** Deletes an export's index entries (found by export id), a batch at a time. */
async function deleteIndexEntries(deps: Deps, tenantId: string, exportId: string): Promise<void> {
  await deleteEveryMatch(
    deps.store,
    {
      collection: tuningExportConversationsPath(tenantId),
      where: [{ field: "exportId", op: "==", value: exportId }],
    },
    indexBatch,
  );
}

export async function getTuningExport(
  deps: Deps,
  tenantId: string,
  exportId: string,
): Promise<TuningExportView> {
  const snap = await deps.store.get(tuningExportPath(tenantId, exportId));
  if (!snap) throw new AppError("not-found", `Export ${exportId} not found`);
  return { id: snap.id, ...tuningExportSchema.parse(snap.data) };
}

/** The tenant's exports, newest first (the record only; files are downloaded one by one). */
export async function listTuningExports(
  deps: Deps,
  tenantId: string,
  limit = 50,
): Promise<TuningExportView[]> {
  const snaps = await deps.store.query({
    collection: tuningExportsPath(tenantId),
    orderBy: [{ field: "createdAt", direction: "desc" }],
    limit,
  });
  return snaps.map((s) => ({ id: s.id, ...tuningExportSchema.parse(s.data) }));
}

/** One of an export's files, as stored. */
export async function readTuningExportFile(
  deps: Deps,
  tenantId: string,
  exportId: string,
  file: ExportFile,
): Promise<{ data: Buffer; record: TuningExportView }> {
  const record = await getTuningExport(deps, tenantId, exportId);
  const blob = await deps.blobs.get(record.files[file].path);
  if (!blob) {
    throw new AppError(
      "not-found",
      `The ${file} file of export ${exportId} is no longer stored; export again`,
    );
  }
  return { data: blob.data, record };
}

/**
 * Deletes an export and its files: files first (every revision), so a record never points at nothing for long;
 * its index entries last, so an export that can still be read can still be found by erasure.
 */
export async function deleteTuningExport(deps: Deps, tenantId: string, exportId: string): Promise<void> {
  await getTuningExport(deps, tenantId, exportId);
  const files = await deps.blobs.list(tuningExportFilesPrefix(tenantId, exportId));
  await Promise.all(files.map((f) => deps.blobs.delete(f.path)));
  await deps.store.delete(tuningExportPath(tenantId, exportId));
  await deleteIndexEntries(deps, tenantId, exportId);
}
