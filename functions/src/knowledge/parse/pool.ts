/**
 * Parsing runs in a small pool of long-lived worker threads, never on the event loop that answers requests:
 * one hostile document can at worst occupy one worker until its limits end it. Each worker's V8 heap is
 * capped (`resourceLimits`), and each document gets a hard wall-clock limit enforced by terminating the
 * worker, since a parser stuck inside pdf.js or mammoth cannot be interrupted from within. A worker that
 * ran out of memory, crashed, timed out or was cancelled is thrown away and a fresh one starts on demand;
 * healthy workers are reused, so a document does not pay a worker's start-up (and the parsers' loading).
 *
 * The worker entry is plain JavaScript at run time: `lib/knowledge/parse/worker.js` next to this module when
 * it runs compiled (the runtime, Cloud Functions). Under Vitest this module runs from `src/`, and the worker
 * runs the TypeScript sources through module hooks (testing/source-loader.mjs), so tests never run a stale
 * build.
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { z } from "zod";
import { AppError, type ErrorCode } from "../../platform/errors.js";
import { log } from "../../platform/log.js";
import type { TextChunk } from "../chunk.js";
import type { DocumentType } from "../schema.js";
import { defaultParseLimits, type ParseLimits } from "./limits.js";

export interface ParsePoolSettings {
  /** Workers at most; each starts when first needed. */
  readonly workers: number;
  /** Old-generation heap of each worker, in MB. */
  readonly memoryMb: number;
  /** Wall-clock limit of one document, from the moment a worker takes it. */
  readonly timeoutMs: number;
}

/**
 * What a worker makes of a file: its chunks (ingestion), or its whole extracted text, the text chunk offsets
 * point into (reading a cited passage where it sits).
 */
export type ParseOutput = "chunks" | "text";

/** What the pool sends a worker: the file is transferred, not copied. */
export interface ParseRequest {
  readonly id: number;
  readonly type: DocumentType;
  readonly bytes: ArrayBuffer;
  readonly limits: ParseLimits;
  readonly output: ParseOutput;
}

export type ParseReply =
  | { readonly id: number; readonly ok: true; readonly chunks: TextChunk[] }
  | { readonly id: number; readonly ok: true; readonly text: string }
  | {
      readonly id: number;
      readonly ok: false;
      readonly code: ErrorCode | "internal";
      readonly message: string;
    };

/** The envelope of a worker's message; the chunks themselves are our own worker's output and not re-checked. */
const replySchema = z.union([
  z.object({ ready: z.literal(true) }),
  z.object({ id: z.number(), ok: z.literal(true), chunks: z.array(z.unknown()) }),
  z.object({ id: z.number(), ok: z.literal(true), text: z.string() }),
  z.object({ id: z.number(), ok: z.literal(false), code: z.string(), message: z.string() }),
]);

const seconds = (ms: number): string => `${Math.round(ms / 1000).toLocaleString("en-US")} seconds`;

export function outOfMemory(settings: ParsePoolSettings): AppError {
  return new AppError(
    "payload-too-large",
    `Reading this file needs more than ${settings.memoryMb.toLocaleString("en-US")} MB of memory, the limit for one document, and was stopped; split it into smaller files and upload them separately`,
  );
}

export function tookTooLong(settings: ParsePoolSettings): AppError {
  return new AppError(
    "payload-too-large",
    `Reading this file took longer than ${seconds(settings.timeoutMs)}, the limit for one document, and was stopped; split it into smaller files, or save it again from the application that made it, and upload that`,
  );
}

export function readerCrashed(): AppError {
  return new AppError(
    "invalid-argument",
    "Reading this file made the document reader fail; the file may be damaged. Save it again from the application that made it and upload the new copy",
  );
}

export function parseCancelled(): AppError {
  return new AppError("cancelled", "Reading this file was cancelled: the document was deleted or replaced");
}

/** What a job ends with: the chunks or the text, as its request asked. */
type ParseResult = { readonly chunks: TextChunk[] } | { readonly text: string };

interface Job {
  readonly id: number;
  readonly request: ParseRequest;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (result: ParseResult) => void;
  readonly reject: (e: AppError) => void;
  readonly onAbort: () => void;
}

interface Slot {
  readonly worker: Worker;
  /** True once the worker has loaded its modules: a job's clock starts when a ready worker takes it. */
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  /** The reason a running job ends if the worker stops now (set before terminating it). */
  ending: AppError | null;
}

export interface ParsePoolStats {
  /** Workers alive now. */
  readonly workers: number;
  readonly busy: number;
  readonly queued: number;
  /** Workers started since the pool was made (a replaced worker counts again). */
  readonly started: number;
  /** Documents handed to a worker so far. */
  readonly dispatched: number;
}

/** How to start a worker: the compiled entry, or the TypeScript source through the hooks under Vitest. */
function spawnWorker(settings: ParsePoolSettings): Worker {
  const resourceLimits = {
    maxOldGenerationSizeMb: settings.memoryMb,
    maxYoungGenerationSizeMb: Math.min(64, Math.max(8, Math.floor(settings.memoryMb / 16))),
    stackSizeMb: 4,
  };
  if (!import.meta.url.endsWith(".ts")) {
    return new Worker(new URL("./worker.js", import.meta.url), { resourceLimits });
  }
  const bootstrap = `
    const { workerData } = require("node:worker_threads");
    import("node:module")
      .then(({ register }) => register(workerData.hooks))
      .then(() => import(workerData.entry));`;
  return new Worker(bootstrap, {
    eval: true,
    resourceLimits,
    workerData: {
      hooks: new URL("./testing/source-loader.mjs", import.meta.url).href,
      entry: new URL("./worker.ts", import.meta.url).href,
    },
  });
}

export class ParsePool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private started = 0;
  private dispatched = 0;
  private closed = false;

  constructor(readonly settings: ParsePoolSettings) {}

  /**
   * Parses and chunks one document in a worker. Rejects with the parser's AppError, or with the limit a
   * worker hit (memory, time), or `cancelled` when `signal` aborts (the worker running it is terminated).
   */
  async run(
    type: DocumentType,
    bytes: Uint8Array,
    options: { limits?: ParseLimits; signal?: AbortSignal } = {},
  ): Promise<TextChunk[]> {
    const result = await this.submit(type, bytes, "chunks", options);
    return "chunks" in result ? result.chunks : [];
  }

  /**
   * Reads one document's whole extracted text in a worker, under the same limits as `run`: the text its
   * chunks' offsets point into.
   */
  async readText(
    type: DocumentType,
    bytes: Uint8Array,
    options: { limits?: ParseLimits; signal?: AbortSignal } = {},
  ): Promise<string> {
    const result = await this.submit(type, bytes, "text", options);
    return "text" in result ? result.text : "";
  }

  private submit(
    type: DocumentType,
    bytes: Uint8Array,
    output: ParseOutput,
    options: { limits?: ParseLimits; signal?: AbortSignal },
  ): Promise<ParseResult> {
    if (this.closed)
      return Promise.reject(new AppError("unavailable", "The document reader is shutting down"));
    if (options.signal?.aborted) return Promise.reject(parseCancelled());
    // A copy the worker can own: the caller's buffer may be a slice of a shared pool (Node's Buffer).
    const copy = new Uint8Array(bytes);
    return new Promise<ParseResult>((resolve, reject) => {
      const id = this.nextId++;
      const job: Job = {
        id,
        request: { id, type, bytes: copy.buffer, limits: options.limits ?? defaultParseLimits, output },
        signal: options.signal,
        resolve,
        reject,
        onAbort: () => this.cancel(job),
      };
      options.signal?.addEventListener("abort", job.onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  stats(): ParsePoolStats {
    const slots = [...this.slots];
    return {
      workers: slots.length,
      busy: slots.filter((s) => s.job).length,
      queued: this.queue.length,
      started: this.started,
      dispatched: this.dispatched,
    };
  }

  /** Stops every worker; jobs still waiting or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      this.settle(job, new AppError("unavailable", "The document reader stopped"));
    await Promise.all(
      [...this.slots].map((slot) => {
        slot.ending = new AppError("unavailable", "The document reader stopped");
        slot.worker.ref(); // an idle worker is unreferenced: awaiting its end must keep the process alive
        return slot.worker.terminate();
      }),
    );
  }

  private pump(): void {
    // Closing: the workers being terminated stay referenced until they are gone.
    if (this.closed) return;
    while (this.queue.length > 0) {
      const slot = [...this.slots].find((s) => s.ready && !s.job);
      if (!slot) {
        // Workers still loading will take jobs when ready; start another only if that leaves some waiting.
        const loading = [...this.slots].filter((s) => !s.ready).length;
        if (this.slots.size < this.settings.workers && loading < this.queue.length) this.startWorker();
        break;
      }
      this.dispatch(slot, this.queue.shift() as Job);
    }
    // A worker with work (or starting up for waiting work) keeps the process alive; an idle one never does.
    for (const slot of this.slots) {
      if (slot.job || (!slot.ready && this.queue.length > 0)) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  private startWorker(): void {
    const worker = spawnWorker(this.settings);
    this.started++;
    const slot: Slot = { worker, ready: false, job: null, timer: null, ending: null };
    this.slots.add(slot);
    worker.on("message", (message: unknown) => this.onMessage(slot, message));
    worker.on("error", (e: Error & { code?: string }) => {
      // The worker is gone after an error event; the exit event that follows settles its job.
      if (e.code === "ERR_WORKER_OUT_OF_MEMORY") slot.ending ??= outOfMemory(this.settings);
      else {
        log.warn("a parse worker failed", { err: e });
        slot.ending ??= readerCrashed();
      }
    });
    worker.on("exit", (code) => {
      this.slots.delete(slot);
      if (slot.timer) clearTimeout(slot.timer);
      const job = slot.job;
      slot.job = null;
      if (job) this.settle(job, slot.ending ?? readerCrashed());
      else if (!slot.ready && !this.closed && !slot.ending) {
        // A worker that dies before it is ready would die again: fail what waits instead of looping.
        log.error("a parse worker could not start", { code });
        for (const waiting of this.queue.splice(0)) this.settle(waiting, readerCrashed());
      }
      this.pump();
    });
  }

  private onMessage(slot: Slot, message: unknown): void {
    const parsed = replySchema.safeParse(message);
    if (!parsed.success) {
      log.error("a parse worker sent an unexpected message");
      return;
    }
    const reply = parsed.data;
    if ("ready" in reply) {
      slot.ready = true;
      this.pump();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== reply.id) return; // the reply of a job already cancelled
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    if (reply.ok)
      this.settle(
        job,
        null,
        "text" in reply ? { text: reply.text } : { chunks: (message as { chunks: TextChunk[] }).chunks },
      );
    else if (reply.code === "internal") {
      log.warn("a parser failed with an unexpected error", { message: reply.message });
      this.settle(job, readerCrashed());
    } else this.settle(job, new AppError(reply.code as ErrorCode, reply.message));
    this.pump();
  }

  private dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    slot.ending = null;
    this.dispatched++;
    slot.timer = setTimeout(() => this.stop(slot, tookTooLong(this.settings)), this.settings.timeoutMs);
    slot.worker.postMessage(job.request, [job.request.bytes]);
  }

  /** Ends a worker and, with it, the job it runs, which fails with `reason`. */
  private stop(slot: Slot, reason: AppError): void {
    slot.ending = reason;
    void slot.worker.terminate();
  }

  private cancel(job: Job): void {
    const waiting = this.queue.indexOf(job);
    if (waiting >= 0) {
      this.queue.splice(waiting, 1);
      this.settle(job, parseCancelled());
      return;
    }
    const slot = [...this.slots].find((s) => s.job === job);
    if (slot) this.stop(slot, parseCancelled());
  }

  private settle(job: Job, error: AppError | null, result?: ParseResult): void {
    job.signal?.removeEventListener("abort", job.onAbort);
    if (error) job.reject(error);
    else job.resolve(result ?? { chunks: [] });
  }
}

/** Workers by default: one per core, at most 4 (the ingest queue runs 4 documents at a time). */
export const defaultParseWorkers = (): number => Math.max(1, Math.min(4, os.availableParallelism()));

const pools = new Map<string, ParsePool>();

/** The process's pool for these settings (tests with other settings get their own). */
export function parsePool(settings: ParsePoolSettings): ParsePool {
  const key = `${settings.workers}/${settings.memoryMb}/${settings.timeoutMs}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new ParsePool(settings);
    pools.set(key, pool);
  }
  return pool;
}

/** Settings of the pool from the platform's configuration. */
export function parsePoolSettings(config: {
  parse: { timeoutMs: number; memoryMb: number };
}): ParsePoolSettings {
  return {
    workers: defaultParseWorkers(),
    memoryMb: config.parse.memoryMb,
    timeoutMs: config.parse.timeoutMs,
  };
}
