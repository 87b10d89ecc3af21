/**
 * Files on their way into a knowledge base: a few at a time (a hundred dropped files must not open a hundred
 * requests), each with its own progress, a failure that stops only its own file, and a retry.
 */
import { useCallback, useEffect, useReducer, useRef } from "react";
import {
  ingestionStep,
  uploadRefusal,
  type KnowledgeDocument,
  type UploadedDocument,
  type UploadProgress,
} from "../../data/knowledge";
import { asRequestError, type PlatformRequestError } from "../../data/platform";

export type UploadPhase =
  /** Not sent: the platform would refuse it (type, size). */
  | { readonly kind: "refused"; readonly reason: string }
  | { readonly kind: "waiting" }
  | { readonly kind: "uploading"; readonly sent: number; readonly total: number }
  | { readonly kind: "failed"; readonly error: PlatformRequestError }
  /** The platform has it; ingestion goes on there (followed in the live listing). */
  | { readonly kind: "sent"; readonly document: UploadedDocument };

export interface Upload {
  readonly key: string;
  readonly file: File;
  readonly phase: UploadPhase;
}

export type UploadAction =
  | { readonly type: "add"; readonly uploads: readonly Upload[] }
  | { readonly type: "start"; readonly key: string }
  | { readonly type: "progress"; readonly key: string; readonly progress: UploadProgress }
  | { readonly type: "sent"; readonly key: string; readonly document: UploadedDocument }
  | { readonly type: "failed"; readonly key: string; readonly error: PlatformRequestError }
  | { readonly type: "retry"; readonly key: string }
  | { readonly type: "remove"; readonly keys: readonly string[] };

export function uploadsReducer(uploads: readonly Upload[], action: UploadAction): readonly Upload[] {
  const update = (key: string, phase: (current: UploadPhase) => UploadPhase | undefined) =>
    uploads.map((upload) => {
      if (upload.key !== key) return upload;
      const next = phase(upload.phase);
      return next ? { ...upload, phase: next } : upload;
    });
  switch (action.type) {
    case "add":
      return [...uploads, ...action.uploads];
    case "start":
      return update(action.key, (p) =>
        p.kind === "waiting" ? { kind: "uploading", sent: 0, total: 0 } : undefined,
      );
    case "progress":
      return update(action.key, (p) =>
        p.kind === "uploading"
          ? { kind: "uploading", sent: action.progress.sent, total: action.progress.total }
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
    case "retry":
      return update(action.key, (p) =>
        p.kind === "failed" || p.kind === "sent" ? { kind: "waiting" } : undefined,
      );
    case "remove":
      return uploads.filter((upload) => !action.keys.includes(upload.key));
  }
}

/** The waiting uploads to start now so that at most `limit` are sending, oldest first. */
export function uploadsToStart(uploads: readonly Upload[], limit: number): Upload[] {
  const sending = uploads.filter((u) => u.phase.kind === "uploading").length;
  return uploads.filter((u) => u.phase.kind === "waiting").slice(0, Math.max(0, limit - sending));
}

export type SendFile = (
  file: File,
  onProgress: (progress: UploadProgress) => void,
  signal: AbortSignal,
) => Promise<UploadedDocument>;

let uploadCounter = 0;

/**
 * The queue of one page. `send` uploads one file; changing it (another knowledge base) does not affect files
 * already sending. Leaving the page cancels what is still sending.
 */
export function useUploadQueue(send: SendFile, limit = 3) {
  const [uploads, dispatch] = useReducer(uploadsReducer, []);
  const controllers = useRef(new Map<string, AbortController>());

  useEffect(() => {
    for (const upload of uploadsToStart(uploads, limit)) {
      if (controllers.current.has(upload.key)) continue;
      const controller = new AbortController();
      controllers.current.set(upload.key, controller);
      const { key } = upload;
      dispatch({ type: "start", key });
      send(upload.file, (progress) => dispatch({ type: "progress", key, progress }), controller.signal)
        .then(
          (document) => {
            if (!controller.signal.aborted) dispatch({ type: "sent", key, document });
          },
          (error: unknown) => {
            if (!controller.signal.aborted) dispatch({ type: "failed", key, error: asRequestError(error) });
          },
        )
        .finally(() => controllers.current.delete(key));
    }
  }, [uploads, limit, send]);

  useEffect(() => {
    const sending = controllers.current;
    return () => {
      for (const controller of sending.values()) controller.abort();
      sending.clear();
    };
  }, []);

  const add = useCallback((files: readonly File[]) => {
    const added = files.map((file): Upload => {
      const reason = uploadRefusal(file);
      uploadCounter += 1;
      return {
        key: `upload-${uploadCounter}`,
        file,
        phase: reason === undefined ? { kind: "waiting" } : { kind: "refused", reason },
      };
    });
    if (added.length > 0) dispatch({ type: "add", uploads: added });
  }, []);

  const retry = useCallback((key: string) => dispatch({ type: "retry", key }), []);

  /** Forgets uploads; one still sending is cancelled. */
  const remove = useCallback((keys: readonly string[]) => {
    for (const key of keys) {
      controllers.current.get(key)?.abort();
      controllers.current.delete(key);
    }
    dispatch({ type: "remove", keys });
  }, []);

  return { uploads, add, retry, remove };
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
      return { label: "Waiting to upload", tone: "working", settled: false, canRetry: false };
    case "uploading": {
      const total = phase.total > 0 ? phase.total : upload.file.size;
      const percent = total > 0 ? Math.round((phase.sent / total) * 100) : 0;
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
        problem: phase.error.reason ?? phase.error.message,
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
