/**
 * Withdrawing examples from stored exports when their conversations are deleted (end-user erasure and retention
 * call `withdrawConversationFromExports` from privacy/purge.ts): every export of the tenant holding examples of the
 * conversation has them taken out of its training, validation and manifest files, and its record (counts, tokens,
 * cost estimate, the validator's reports) then describes what is left, with what was withdrawn in `withdrawn`.
 *
 * Exports are found through their index (`tuningExportConversations`, written when the export is made), not by
 * reading every manifest. Each export is rewritten under a lease kept on its record, so two deletions never
 * rewrite the same export at once and lose each other's work:
 *   1. take the lease (a transaction on the record). A run withdrawing the same conversations takes over a lease
 *      that a crashed run left; any other run waits for it;
 *   2. write the new files under new names (the next revision and the lease's token): the files the record points
 *      at stay whole and readable until the record moves;
 *   3. in one transaction, point the record at them with the new figures and the withdrawal counted, if the
 *      record is still at the revision read and under this lease;
 *   4. delete every file of the export the record does not point at (the old revision, a crashed run's files);
 *   5. release the lease. The caller then deletes the index entry.
 * A run that stops anywhere is finished by the next one: before 3 it writes the same files again; after 3 the
 * conversation is no longer in the manifest, so nothing is withdrawn (or counted) twice, and 4 and 5 are redone.
 *
 * A fine-tuning job created from the export before has uploaded its files to the provider: they are deleted
 * there when the job has finished (as last read), and otherwise kept, which the record says. A model a job
 * trained keeps what it learned from them; nothing here can take that back.
 */
import { createHash } from "node:crypto";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import { FieldOps, type DocData } from "../platform/ports.js";
import { exportFigures } from "./export-figures.js";
import { storeExportFile } from "./export-files.js";
import {
  finishedJobStatuses,
  manifestEntrySchema,
  tuningExportConversationSchema,
  tuningExportConversationsPath,
  tuningExportFilePath,
  tuningExportFilesPrefix,
  tuningExportPath,
  tuningExportSchema,
  tuningJobSchema,
  tuningJobsPath,
  type ExportFile,
  type ManifestEntry,
  type TuningExport,
  type WithdrawnJob,
} from "./schema.js";
import { loadTokenCounter } from "./tokens.js";

/** Where the lease lives on the export's record (not part of its schema: readers never see it). */
const leaseField = "rewriteLease";
/** A lease older than this was left by a run that stopped; far longer than rewriting 200 MB takes. */
const leaseMs = 10 * 60_000;
/** How long a run waits for another run's lease before it gives up (and is retried). */
const defaultLeaseWaitMs = 20_000;
/** An index entry without its export this old is a crashed export's, not one being written now. */
const orphanAfterMs = 60 * 60_000;
/** Index entries read per page. */
const indexPage = 50;

export interface WithdrawOptions {
  /** How long to wait for another run rewriting the same export (default 20 s). */
  readonly leaseWaitMs?: number;
}

export interface ExportWithdrawal {
  readonly exportId: string;
  /** Examples taken out by this call (0 when an earlier run already had). */
  readonly examples: number;
}

interface Lease {
  readonly token: string;
  readonly until: string;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

function leaseOf(data: DocData): Lease | null {
  const lease = data[leaseField] as Partial<Lease> | undefined;
  return lease && typeof lease.token === "string" && typeof lease.until === "string"
    ? { token: lease.token, until: lease.until }
    : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes the export's lease; null when the export is gone. */
async function takeLease(
  deps: Deps,
  tenantId: string,
  exportId: string,
  token: string,
  waitMs: number,
): Promise<TuningExport | null> {
  const path = tuningExportPath(tenantId, exportId);
  const giveUpAt = Date.now() + waitMs;
  for (;;) {
    const taken = await deps.store.runTransaction(async (tx) => {
      const snap = await tx.get(path);
      if (!snap) return null;
      const lease = leaseOf(snap.data);
      const now = deps.clock.now();
      if (lease && lease.token !== token && lease.until > now.toISOString()) return "busy" as const;
      tx.update(path, {
        [leaseField]: { token, until: new Date(now.getTime() + leaseMs).toISOString() },
      });
      return tuningExportSchema.parse(snap.data);
    });
    if (taken !== "busy") return taken;
    if (Date.now() >= giveUpAt) {
      throw new AppError(
        "aborted",
        `Export ${exportId} is being rewritten by another deletion; try again in a few minutes`,
      );
    }
    await sleep(250);
  }
}

async function releaseLease(deps: Deps, tenantId: string, exportId: string, token: string): Promise<void> {
  const path = tuningExportPath(tenantId, exportId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (snap && leaseOf(snap.data)?.token === token) tx.update(path, { [leaseField]: FieldOps.delete() });
  });
}

/** Deletes every file of the export its record does not point at. Only under the lease: none is being written. */
async function removeUnreferencedFiles(
  deps: Deps,
  tenantId: string,
  exportId: string,
  keep: ReadonlySet<string>,
): Promise<void> {
  const stored = await deps.blobs.list(tuningExportFilesPrefix(tenantId, exportId));
  await Promise.all(stored.filter((b) => !keep.has(b.path)).map((b) => deps.blobs.delete(b.path)));
}

async function readFile(
  deps: Deps,
  exportId: string,
  record: TuningExport,
  file: ExportFile,
): Promise<string> {
  const blob = await deps.blobs.get(record.files[file].path);
  if (!blob) {
    throw new AppError(
      "internal",
      `The ${file} file of export ${exportId} is missing, so the examples of deleted conversations cannot be taken out of it; delete the export (DELETE /v1/tuning/exports/${exportId}) and run the deletion again`,
    );
  }
  return blob.data.toString("utf8");
}

const fileLines = (text: string): string[] => {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
};

/** What becomes of the provider's copies of the files of jobs created from the export. */
async function providerCopies(
  deps: Deps,
  tenantId: string,
  exportId: string,
  before: readonly WithdrawnJob[],
): Promise<WithdrawnJob[]> {
  const jobs = (
    await deps.store.query({
      collection: tuningJobsPath(tenantId),
      where: [{ field: "exportId", op: "==", value: exportId }],
      limit: 100,
    })
  )
    .map((s) => ({ id: s.id, ...tuningJobSchema.parse(s.data) }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const out: WithdrawnJob[] = [];
  for (const job of jobs) {
    const earlier = before.find((j) => j.jobId === job.id);
    if (earlier?.providerFiles === "deleted") {
      out.push(earlier);
      continue;
    }
    const fileIds = [job.provider.trainingFileId, job.provider.validationFileId].filter(
      (f): f is string => f !== null,
    );
    const kept = (reason: string): WithdrawnJob => ({ jobId: job.id, providerFiles: "kept", reason });
    if (!finishedJobStatuses.has(job.status)) {
      // Deleting the files of a job still training could stop it; the job's owner decides.
      out.push(
        kept(
          `the job was ${job.status} when last read, so its files were left at ${job.provider.baseURL} (${fileIds.join(", ")}); cancel the job or delete them there`,
        ),
      );
      continue;
    }
    if (!deps.fineTuning) {
      out.push(
        kept(
          `no fine-tuning provider is configured now, so its files could not be deleted at ${job.provider.baseURL} (${fileIds.join(", ")})`,
        ),
      );
      continue;
    }
    try {
      for (const fileId of fileIds) await deps.fineTuning.deleteFile(fileId);
      out.push({ jobId: job.id, providerFiles: "deleted", reason: null });
    } catch (e) {
      log.error("tuning: could not delete a job's files at the provider", { err: e, jobId: job.id });
      out.push(
        kept(
          `the provider did not delete its files (${fileIds.join(", ")}): ${e instanceof Error ? e.message.slice(0, 200) : "unknown error"}`,
        ),
      );
    }
  }
  return out;
}

function withdrawalNotes(record: TuningExport): string[] {
  const w = record.withdrawn;
  if (!w) return [];
  const notes = [
    `${w.examples} example${w.examples === 1 ? "" : "s"} from ${w.conversations} conversation${w.conversations === 1 ? "" : "s"} were withdrawn after this export was made, because those conversations were deleted (erasure or retention); counts, tokens, cost and the validator's report describe what is left. Redactions are counted as exported.`,
  ];
  if (record.counts.examples === 0) {
    notes.push("Nothing is left: every example was withdrawn. Delete this export or export again.");
  }
  if (w.jobs.length > 0) {
    notes.push(
      `Fine-tuning jobs created from it before (${w.jobs.map((j) => j.jobId).join(", ")}) uploaded the earlier files to the provider: see withdrawn.jobs for whether they were deleted there. A model already trained keeps what it learned from them.`,
    );
  }
  return notes;
}

/**
 * Takes every example of `conversationIds` out of one export. Answers null when the export does not exist (any
 * more, or yet). Safe to repeat, and to run after a run that stopped midway.
 */
export async function withdrawFromExport(
  deps: Deps,
  tenantId: string,
  exportId: string,
  conversationIds: readonly string[],
  options: WithdrawOptions = {},
): Promise<ExportWithdrawal | null> {
  const withdrawing = new Set(conversationIds);
  // The same conversations give the same token: a rerun after a crash takes over its own lease and file names.
  const token = sha256([...withdrawing].sort().join("\u0000")).slice(0, 16);
  const path = tuningExportPath(tenantId, exportId);
  for (let attempt = 1; ; attempt++) {
    const record = await takeLease(
      deps,
      tenantId,
      exportId,
      token,
      options.leaseWaitMs ?? defaultLeaseWaitMs,
    );
    if (!record) return null;
    let current = record;
    let examples = 0;
    try {
      const read = (file: ExportFile) => readFile(deps, exportId, record, file);
      const [trainText, validationText, manifestText] = await Promise.all([
        read("train"),
        read("validation"),
        read("manifest"),
      ]);
      const text = { train: fileLines(trainText), validation: fileLines(validationText) };
      const entries = fileLines(manifestText).map((line, i) => {
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(line);
        } catch {
          // reported below
        }
        const entry = manifestEntrySchema.safeParse(parsed);
        if (!entry.success || entry.data.line > text[entry.data.file].length) {
          throw new AppError("internal", `Export ${exportId}'s manifest is unreadable at line ${i + 1}`);
        }
        return entry.data;
      });
      const removed = entries.filter((e) => withdrawing.has(e.conversationId));
      if (removed.length > 0) {
        const next: Record<"train" | "validation", string[]> = { train: [], validation: [] };
        const kept: ManifestEntry[] = [];
        for (const e of entries) {
          if (withdrawing.has(e.conversationId)) continue;
          next[e.file].push(text[e.file][e.line - 1] as string);
          kept.push({ ...e, line: next[e.file].length });
        }
        const contents: Record<ExportFile, string> = {
          train: next.train.map((l) => `${l}\n`).join(""),
          validation: next.validation.map((l) => `${l}\n`).join(""),
          manifest: kept.map((e) => `${JSON.stringify(e)}\n`).join(""),
        };
        const revision = `r${record.revision + 1}-${token}`;
        const files = {} as TuningExport["files"];
        for (const file of ["train", "validation", "manifest"] as const) {
          const filePath = tuningExportFilePath(tenantId, exportId, file, revision);
          files[file] = await storeExportFile(
            deps,
            filePath,
            contents[file],
            file === "manifest" ? kept.length : next[file].length,
            { tenantId, exportId, file, revision },
          );
        }
        const figures = exportFigures({
          entries: kept,
          trainText: contents.train,
          validationText: contents.validation,
          validationShare: record.validationShare,
          excluded: record.excluded,
          countTokens: await loadTokenCounter(),
        });
        const before = record.withdrawn;
        const rewritten: TuningExport = {
          ...record,
          ...figures,
          files,
          revision: record.revision + 1,
          withdrawn: {
            examples: (before?.examples ?? 0) + removed.length,
            conversations: (before?.conversations ?? 0) + new Set(removed.map((e) => e.conversationId)).size,
            lastAt: deps.clock.nowIso(),
            jobs: await providerCopies(deps, tenantId, exportId, before?.jobs ?? []),
          },
        };
        rewritten.notes = [...figures.notes, ...withdrawalNotes(rewritten)];
        const swapped = await deps.store.runTransaction(async (tx) => {
          const snap = await tx.get(path);
          if (!snap) return "gone" as const;
          const lease = leaseOf(snap.data);
          if (lease?.token !== token || tuningExportSchema.parse(snap.data).revision !== record.revision) {
            return "moved" as const;
          }
          // The lease stays until the old files are gone.
          tx.set(path, { ...tuningExportSchema.parse(rewritten), [leaseField]: lease });
          return "done" as const;
        });
        if (swapped === "gone") {
          await removeUnreferencedFiles(deps, tenantId, exportId, new Set());
          return null;
        }
        if (swapped === "moved") {
          // Another run took the lease over (this one was slower than the lease): start again from its result.
          if (attempt >= 3) throw new AppError("aborted", `Export ${exportId} kept changing; try again`);
          continue;
        }
        current = rewritten;
        examples = removed.length;
      }
      await removeUnreferencedFiles(
        deps,
        tenantId,
        exportId,
        new Set(Object.values(current.files).map((f) => f.path)),
      );
    } catch (e) {
      // The next run takes the lease over anyway (same conversations, same token); others need not wait for it.
      await releaseLease(deps, tenantId, exportId, token).catch((err: unknown) => {
        log.error("tuning: could not release an export's lease", { err, exportId });
      });
      throw e;
    }
    await releaseLease(deps, tenantId, exportId, token);
    if (examples > 0) log.info("tuning: examples withdrawn from an export", { tenantId, exportId, examples });
    return { exportId, examples };
  }
}

/**
 * Takes a deleted conversation's examples out of every export of the tenant that holds some, then forgets the
 * index entries that led there. Called by privacy/purge.ts before the conversation's own document goes, so a
 * purge that stops midway is run again and finishes this too.
 */
export async function withdrawConversationFromExports(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  options: WithdrawOptions = {},
): Promise<{ exports: number; examples: number }> {
  const totals = { exports: 0, examples: 0 };
  const done = new Set<string>();
  for (;;) {
    const page = await deps.store.query({
      collection: tuningExportConversationsPath(tenantId),
      where: [{ field: "conversationId", op: "==", value: conversationId }],
      limit: indexPage,
    });
    if (page.length === 0) return totals;
    if (page.every((s) => done.has(s.path))) {
      throw new AppError(
        "internal",
        "Withdrawing from exports made no progress: index entries survived deletion",
      );
    }
    for (const snap of page) {
      const entry = tuningExportConversationSchema.safeParse(snap.data);
      if (entry.success) {
        const result = await withdrawFromExport(
          deps,
          tenantId,
          entry.data.exportId,
          [conversationId],
          options,
        );
        if (result) {
          totals.exports += 1;
          totals.examples += result.examples;
        } else if (deps.clock.now().getTime() - Date.parse(entry.data.createdAt) > orphanAfterMs) {
          // No record, long after the entry was written: an export that crashed before its record was, whose
          // files (if any are left) hold the conversation too. A recent one may still be being written: that
          // export checks for conversations deleted meanwhile itself (export.ts).
          await removeUnreferencedFiles(deps, tenantId, entry.data.exportId, new Set());
        }
      }
      await deps.store.delete(snap.path);
      done.add(snap.path);
    }
  }
}
