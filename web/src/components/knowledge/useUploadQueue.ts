/**
 * Files on their way into a knowledge base: grouped into a few requests (small files together, a large one
 * alone; see `nextBatches`), at most three requests at a time, each file with its own progress, a failure
 * that stops only its own file, and a retry. A spent upload budget (429) holds the queue until the
 * platform's `Retry-After`, then sends the same files again.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import {
  RetryLaterError,
  type KnowledgeDocument,
  type UploadBatching,
  type UploadedDocument,
  type UploadOutcome,
  type UploadProgress,
} from "../../data/knowledge";
import { asRequestError, PlatformRequestError } from "../../data/platform";
import { errorSentence } from "../PaymentRequiredNote";
import { ingestionStep } from "./describe";
import type { PickedFile } from "./droppedFiles";
import { uploadRefusal } from "./uploadRules";

export type UploadPhase =
  /** Not sent: the platform would refuse it (type, size, a name taken by another file of the drop). */
  | { readonly kind: "refused"; readonly reason: string }
  | {
      readonly kind: "waiting";
      /** Sent in a request of its own: a request with it and others was refused as a whole. */
      readonly alone?: boolean;
      /** Sent once and refused for now: the workspace's upload budget was spent. */
      readonly forBudget?: boolean;
    }
  /** In the request `request` (one request can carry several files). */
  | {
      readonly kind: "uploading";
      readonly sent: number;
      readonly total: number;
      readonly request: string;
      readonly alone?: boolean;
    }
  | { readonly kind: "failed"; readonly error: PlatformRequestError }
  /** The platform has it; ingestion goes on there (followed in the live listing). */
  | { readonly kind: "sent"; readonly document: UploadedDocument };

export interface Upload {
  readonly key: string;
  readonly file: File;
  /** Where it was in a dropped or chosen folder ("policies/leave.md"); its name otherwise. */
  readonly path: string;
  readonly phase: UploadPhase;
}

export type UploadAction =
  | { readonly type: "add"; readonly uploads: readonly Upload[] }
  | { readonly type: "start"; readonly keys: readonly string[]; readonly request: string }
  | { readonly type: "progress"; readonly key: string; readonly progress: UploadProgress }
  | { readonly type: "sent"; readonly key: string; readonly document: UploadedDocument }
  | { readonly type: "failed"; readonly key: string; readonly error: PlatformRequestError }
  /** Back in the queue, unsent: its request was cancelled for another file, or refused as a whole. */
  | {
      readonly type: "requeue";
      readonly keys: readonly string[];
      readonly alone?: boolean;
      readonly forBudget?: boolean;
    }
  /** The wait for the upload budget is over. */
  | { readonly type: "release" }
  | { readonly type: "retry"; readonly key: string }
  | { readonly type: "remove"; readonly keys: readonly string[] };

export function uploadsReducer(uploads: readonly Upload[], action: UploadAction): readonly Upload[] {
  const updateAll = (
    keys: ReadonlySet<string> | undefined,
    phase: (current: UploadPhase) => UploadPhase | undefined,
  ) =>
    uploads.map((upload) => {
      if (keys && !keys.has(upload.key)) return upload;
      const next = phase(upload.phase);
      return next ? { ...upload, phase: next } : upload;
    });
  const update = (key: string, phase: (current: UploadPhase) => UploadPhase | undefined) =>
    updateAll(new Set([key]), phase);
  switch (action.type) {
    case "add":
      return [...uploads, ...action.uploads];
    case "start":
      return updateAll(new Set(action.keys), (p) =>
        p.kind === "waiting"
          ? {
              kind: "uploading",
              sent: 0,
              total: 0,
              request: action.request,
              ...(p.alone ? { alone: true } : {}),
            }
          : undefined,
      );
    case "progress":
      return update(action.key, (p) =>
        p.kind === "uploading"
          ? { ...p, sent: action.progress.sent, total: action.progress.total }
          : undefined,
      );
    case "sent":
      return update(action.key, (p) =>
        p.kind === "uploading" ? { kind: "sent", document: action.document } : undefined,
      );
    case "failed":
      return update(action.key, (p) =>
        p.kind === "uploading" ? { kind: "failed", error: action.error } : undefined,
      );
    case "requeue":
      return updateAll(new Set(action.keys), (p) =>
        p.kind === "uploading"
          ? {
              kind: "waiting",
              // Once alone, always alone: sending it with others again would be refused again.
              ...(action.alone || p.alone ? { alone: true } : {}),
              ...(action.forBudget ? { forBudget: true } : {}),
            }
          : undefined,
      );
    case "release":
      return updateAll(undefined, (p) =>
        p.kind === "waiting" && p.forBudget
          ? { kind: "waiting", ...(p.alone ? { alone: true } : {}) }
          : undefined,
      );
    case "retry":
      return update(action.key, (p) =>
        p.kind === "failed" || p.kind === "sent" ? { kind: "waiting" } : undefined,
      );
    case "remove": {
      const removed = new Set(action.keys);
      return uploads.filter((upload) => !removed.has(upload.key));
    }
  }
}

/**
 * The next requests to send, into `slots` free ones, oldest files first, leaving out `busy` ones (already
 * in a request). A file goes with the ones after it up to the source's `batching` (files and bytes; one
 * too large for what is left waits for a later request); a file larger than `maxBytes`, or marked `alone`,
 * goes by itself, as the single-file upload it always was.
 */
export function nextBatches(
  uploads: readonly Upload[],
  slots: number,
  batching: UploadBatching,
  busy: ReadonlySet<string> = new Set(),
): Upload[][] {
  const waiting = uploads.filter((u) => u.phase.kind === "waiting" && !busy.has(u.key));
  const alone = (u: Upload) =>
    batching.maxFiles <= 1 ||
    u.file.size > batching.maxBytes ||
    (u.phase.kind === "waiting" && u.phase.alone === true);
  const taken = new Set<string>();
  const batches: Upload[][] = [];
  for (const first of waiting) {
    if (batches.length >= slots) break;
    if (taken.has(first.key)) continue;
    taken.add(first.key);
    const batch = [first];
    batches.push(batch);
    if (alone(first)) continue;
    let bytes = first.file.size;
    for (const next of waiting) {
      if (batch.length >= batching.maxFiles) break;
      if (taken.has(next.key) || alone(next) || bytes + next.file.size > batching.maxBytes) continue;
      taken.add(next.key);
      batch.push(next);
      bytes += next.file.size;
    }
  }
  return batches;
}

/**
 * Sends files in one request (or one file alone): one outcome per file, in order; rejects when the request
 * failed as a whole. See `KnowledgeSource.uploadDocuments`.
 */
export type SendUploads = (
  files: readonly File[],
  onProgress: (index: number, progress: UploadProgress) => void,
  signal: AbortSignal,
) => Promise<UploadOutcome[]>;

interface InFlight {
  readonly controller: AbortController;
  readonly keys: readonly string[];
}

/** Statuses of a request refused as a whole that may be one of its files' fault: its files are sent alone. */
const batchRefusals = [400, 413];

let uploadCounter = 0;
let requestCounter = 0;

/** Why this file is refused before sending; a name taken by another file of the same drop included. */
function refusalOf(picked: PickedFile, firstPathOf: Map<string, string>): string | undefined {
  const reason = uploadRefusal(picked.file);
  if (reason !== undefined) return reason;
  const { name } = picked.file;
  const earlier = firstPathOf.get(name);
  if (earlier === undefined) {
    firstPathOf.set(name, picked.path);
    return undefined;
  }
  // In a knowledge base a document is its file name: the second would become a new version of the first.
  return (
    `${earlier} has the same name, and a document is known by its file name: this one would replace it. ` +
    "Rename one of them to keep both."
  );
}

/**
 * The queue of one page. `send` uploads one request's files, grouped as `batching` says; changing them
 * (another knowledge base) does not affect requests already sent. Leaving the page cancels what is still
 * sending.
 */
export function useUploadQueue(send: SendUploads, batching: UploadBatching, limit = 3) {
  const [uploads, dispatch] = useReducer(uploadsReducer, []);
  /** When the upload budget is expected back (ms since the epoch); nothing new is sent until then. */
  const [budgetWaitUntil, setBudgetWaitUntil] = useState<number | undefined>(undefined);
  const requests = useRef(new Map<string, InFlight>());

  useEffect(() => {
    if (budgetWaitUntil !== undefined) return;
    const inFlight = requests.current;
    const busy = new Set([...inFlight.values()].flatMap((r) => r.keys));

    const waitForBudget = (seconds: number) =>
      setBudgetWaitUntil((until) => Math.max(until ?? 0, Date.now() + seconds * 1000));

    const settle = (keys: readonly string[], outcomes: readonly UploadOutcome[]) => {
      const later: string[] = [];
      let wait = 0;
      keys.forEach((key, index) => {
        const outcome = outcomes[index];
        if (!outcome) {
          const reason = `The platform answered ${outcomes.length} results for ${keys.length} files.`;
          dispatch({ type: "failed", key, error: new PlatformRequestError("invalid-response", "", reason) });
        } else if (outcome.ok) {
          dispatch({ type: "sent", key, document: outcome.document });
        } else if (outcome.error instanceof RetryLaterError) {
          later.push(key);
          wait = Math.max(wait, outcome.error.retryAfterSeconds);
        } else {
          dispatch({ type: "failed", key, error: outcome.error });
        }
      });
      if (later.length > 0) {
        dispatch({ type: "requeue", keys: later, forBudget: true });
        waitForBudget(wait);
      }
    };

    const fail = (keys: readonly string[], cause: unknown) => {
      const error = asRequestError(cause);
      if (error instanceof RetryLaterError) {
        // The budget is the workspace's: every request would be refused now, so the whole queue waits.
        dispatch({ type: "requeue", keys, forBudget: true });
        waitForBudget(error.retryAfterSeconds);
      } else if (keys.length > 1 && error.status !== undefined && batchRefusals.includes(error.status)) {
        // Too large or too many for this platform's limits, or one bad file spoiling the body: each alone
        // gets its own answer.
        dispatch({ type: "requeue", keys, alone: true });
      } else {
        for (const key of keys) dispatch({ type: "failed", key, error });
      }
    };

    for (const batch of nextBatches(uploads, limit - inFlight.size, batching, busy)) {
      requestCounter += 1;
      const request = `request-${requestCounter}`;
      const controller = new AbortController();
      const keys = batch.map((u) => u.key);
      inFlight.set(request, { controller, keys });
      dispatch({ type: "start", keys, request });
      const onProgress = (index: number, progress: UploadProgress) => {
        const key = keys[index];
        if (key !== undefined && !controller.signal.aborted) dispatch({ type: "progress", key, progress });
      };
      // Done with the request before telling the reducer: the next render may start another in its place.
      const done = () => inFlight.delete(request);
      send(
        batch.map((u) => u.file),
        onProgress,
        controller.signal,
      ).then(
        (outcomes) => {
          if (controller.signal.aborted) return;
          done();
          settle(keys, outcomes);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          done();
          fail(keys, error);
        },
      );
    }
  }, [uploads, limit, send, batching, budgetWaitUntil]);

  useEffect(() => {
    if (budgetWaitUntil === undefined) return;
    const timer = setTimeout(
      () => {
        dispatch({ type: "release" });
        setBudgetWaitUntil(undefined);
      },
      Math.max(0, budgetWaitUntil - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [budgetWaitUntil]);

  useEffect(() => {
    const inFlight = requests.current;
    return () => {
      for (const request of inFlight.values()) request.controller.abort();
      inFlight.clear();
    };
  }, []);

  const add = useCallback((picked: readonly PickedFile[]) => {
    const firstPathOf = new Map<string, string>();
    const added = picked.map((one): Upload => {
      const reason = refusalOf(one, firstPathOf);
      uploadCounter += 1;
      return {
        key: `upload-${uploadCounter}`,
        file: one.file,
        path: one.path,
        phase: reason === undefined ? { kind: "waiting" } : { kind: "refused", reason },
      };
    });
    if (added.length > 0) dispatch({ type: "add", uploads: added });
  }, []);

  const retry = useCallback((key: string) => dispatch({ type: "retry", key }), []);

  /**
   * Forgets uploads. A request still sending one of them is cancelled; the other files it carried go back
   * to the queue and are sent again.
   */
  const remove = useCallback((keys: readonly string[]) => {
    const removed = new Set(keys);
    for (const [request, { controller, keys: carried }] of requests.current) {
      if (!carried.some((key) => removed.has(key))) continue;
      controller.abort();
      requests.current.delete(request);
      const others = carried.filter((key) => !removed.has(key));
      if (others.length > 0) dispatch({ type: "requeue", keys: others });
    }
    dispatch({ type: "remove", keys });
  }, []);

  return { uploads, add, retry, remove, budgetWaitUntil };
}

/** How one upload is doing, as its line in the upload list says it. */
export interface UploadStatus {
  readonly label: string;
  /** The platform's or the studio's reason, in plain words, when it did not work. */
  readonly problem?: string;
  /** 0..100 while there is something to wait for; undefined when there is no bar to show. */
  readonly percent?: number;
  readonly tone: "working" | "done" | "error";
  /** Nothing more will happen to it (done, or failed with nothing sending). */
  readonly settled: boolean;
  readonly canRetry: boolean;
}

/**
 * The upload's status: its own while it is sent, then the document's from the live listing (parse → embed →
 * index), until ready or failed. `documents` is the listing as last received.
 */
export function uploadStatus(
  upload: Upload,
  documents: readonly KnowledgeDocument[] | undefined,
  formatBytes: (bytes: number) => string,
): UploadStatus {
  const { phase } = upload;
  switch (phase.kind) {
    case "refused":
      return { label: "Not uploaded", problem: phase.reason, tone: "error", settled: true, canRetry: false };
    case "waiting":
      return {
        label: phase.forBudget ? "Waiting for the upload budget" : "Waiting to upload",
        tone: "working",
        settled: false,
        canRetry: false,
      };
    case "uploading": {
      const total = phase.total > 0 ? phase.total : upload.file.size;
      const percent = total > 0 ? Math.round((phase.sent / total) * 100) : 0;
      if (phase.sent > 0 && phase.sent >= total) {
        // The platform stores a request's files one after the other before it answers: with a hundred
        // files in one request, the last bytes go out seconds before the answer comes.
        return {
          label: "Sent; waiting for the platform to accept it",
          percent: 100,
          tone: "working",
          settled: false,
          canRetry: false,
        };
      }
      return {
        label: `Uploading: ${formatBytes(phase.sent)} of ${formatBytes(total)} (${percent}%)`,
        percent,
        tone: "working",
        settled: false,
        canRetry: false,
      };
    }
    case "failed":
      return {
        label: "Upload failed",
        problem: errorSentence(phase.error),
        tone: "error",
        settled: true,
        canRetry: true,
      };
    case "sent": {
      const sent = phase.document;
      if (sent.duplicate) {
        return {
          label: `Already up to date: the same file is version ${sent.version}`,
          tone: "done",
          settled: true,
          canRetry: false,
        };
      }
      const listed = documents?.find((d) => d.id === sent.id);
      if (listed && listed.version > sent.version) {
        return {
          label: `Uploaded as version ${sent.version}, since replaced by version ${listed.version}`,
          tone: "done",
          settled: true,
          canRetry: false,
        };
      }
      // Until the listing shows this version, the upload's own answer says where it is (queued).
      const doc = listed && listed.version === sent.version ? listed : sent;
      const step = ingestionStep(doc);
      const version = `version ${doc.version}`;
      if (doc.status === "ready") {
        return { label: `${step.label} (${version})`, tone: "done", settled: true, canRetry: false };
      }
      if (doc.status === "failed") {
        return {
          label: step.label,
          problem: doc.error ?? "The platform did not say why.",
          tone: "error",
          settled: true,
          canRetry: true,
        };
      }
      return {
        label: `Uploaded; ${step.label.toLowerCase()} (${step.percent}%)`,
        percent: step.percent,
        tone: "working",
        settled: false,
        canRetry: false,
      };
    }
  }
}
