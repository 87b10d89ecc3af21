/**
 * The local runtime: hosts the exported functions in one process. HTTPS functions are served at the
 * emulator-style URL `/{project}/{region}/{name}` and at the paths firebase.json's hosting rewrites give
 * them; callables speak the Firebase callable protocol (so the web SDK's `connectFunctionsEmulator` works);
 * task queues, triggers and schedules run on the durable local queue. The built studio is served at `/`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import express, { type Request, type Response } from "express";
import { HttpsError } from "firebase-functions/v2/https";
import type { Authenticate } from "@alchemist/functions/platform/http/router";
import { isReadingOwnBody } from "@alchemist/functions/platform/hosting";
import { AppError, toAppError } from "@alchemist/functions/platform/errors";
import { log, withLogContext } from "@alchemist/functions/platform/log";
import { requestIdFrom } from "@alchemist/functions/platform/ids";
import { closeMetrics, metricsOf } from "@alchemist/functions/platform/metrics/recorder";
import type { LocalDeps } from "../adapters/deps.js";
import { discoverFunctions, numberOption, retryConfigOf, type HostedFunction } from "./discover.js";
import { parseSchedule } from "./schedule.js";
import { TaskRunner, type QueueHandler } from "./task-runner.js";
import { gzippedAssets, immutableCache, studioSecurityHeaders } from "./static-assets.js";
import { scheduleQueue, triggerHandler, wireTriggers } from "./triggers.js";

export interface HostOptions {
  readonly deps: LocalDeps;
  /** Resolves a callable's caller, as the deployed functions do (identity/authenticate.ts). */
  readonly authenticate: Authenticate;
  /** The module namespace of functions/src/index (what Firebase would deploy). */
  readonly exports: Record<string, unknown>;
  /** Hosting rewrites (from firebase.json) mapping URL globs to HTTPS functions. */
  readonly rewrites: readonly { source: string; function: string }[];
  /** The built web app, served with an SPA fallback when present. */
  readonly webRoot?: string;
  readonly bucket: string;
}

export interface RunningHost {
  readonly url: string;
  readonly functions: readonly HostedFunction[];
  readonly runner: TaskRunner;
  close(): Promise<void>;
}

/** Where Firebase Hosting serves the web app's config (https://firebase.google.com/docs/hosting/reserved-urls). */
export const firebaseInitPath = "/__/firebase/init.json";

/**
 * The local host's answer at {@link firebaseInitPath}: no Firebase config, and local mode said outright
 * (the studio's data/firebase/mode.ts reads it).
 */
export const localModeInit = { alchemist: { mode: "local" } } as const;

/** Firebase Hosting glob → RegExp (`**` any depth, `*` one segment). */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else re += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * Reads a request's body as Cloud Functions does before a function runs (`req.rawBody`, and `req.body`
 * parsed when it is JSON), up to `limit` bytes. Answers 413 itself and returns false beyond that: the rest
 * of the body is not read, and the connection closes after the answer.
 */
function bufferBody(req: Request, res: Response, limit: number): Promise<boolean> {
  const declared = Number(req.headers["content-length"] ?? "0");
  const refuse = () => {
    res
      .status(413)
      .set("connection", "close")
      .json({ error: { code: "payload-too-large", message: `The request body exceeds ${limit} bytes` } });
    return false;
  };
  if (declared > limit) return Promise.resolve(refuse());
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (ok: boolean) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      resolve(ok);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        req.pause();
        done(refuse());
      }
    };
    const onEnd = () => {
      const body = Buffer.concat(chunks, size);
      (req as Request & { rawBody?: Buffer }).rawBody = body;
      const type = (req.headers["content-type"] ?? "").toLowerCase();
      if (type.startsWith("application/json") && body.length > 0) {
        try {
          req.body = JSON.parse(body.toString("utf8"));
        } catch {
          req.body = undefined; // the function sees rawBody and answers the parse error itself
        }
      } else req.body = body.length > 0 ? body : undefined;
      done(true);
    };
    const onError = (e: Error) => {
      log.warn("a request body could not be read", { err: e });
      if (!res.headersSent)
        res
          .status(400)
          .set("connection", "close")
          .json({ error: { code: "invalid-argument", message: "The request body could not be read" } });
      done(false);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

function taskHandler(fn: HostedFunction): QueueHandler {
  const trigger = fn.endpoint.taskQueueTrigger ?? {};
  return {
    queue: fn.name,
    retry: retryConfigOf(trigger.retryConfig),
    concurrency: numberOption(trigger.rateLimits?.maxConcurrentDispatches, 4),
    leaseMs: (numberOption(fn.endpoint.timeoutSeconds, 60) + 30) * 1000,
    run: async (task) => {
      await fn.fn.run!({
        data: task.payload,
        queueName: fn.name,
        id: task.dedupKey ?? String(task.seq),
        retryCount: task.attempts,
        executionCount: task.attempts,
        scheduledTime: new Date(task.createdAt).toISOString(),
        headers: {},
      });
    },
  };
}

function scheduleHandler(fn: HostedFunction): QueueHandler {
  const retryConfig = fn.endpoint.scheduleTrigger?.retryConfig;
  return {
    queue: scheduleQueue(fn),
    // Cloud Scheduler counts retries (`retryCount`, default 0), not attempts.
    retry: { ...retryConfigOf(retryConfig), maxAttempts: numberOption(retryConfig?.retryCount, 0) + 1 },
    concurrency: 1,
    leaseMs: (numberOption(fn.endpoint.timeoutSeconds, 60) + 30) * 1000,
    run: async (task) => {
      await fn.fn.run!({
        scheduleTime: (task.payload as { slot: string }).slot,
        jobName: `local-${fn.name}`,
      });
    },
  };
}

/** The request each piece of work belongs to, so an error that escapes everything can still be answered. */
const inFlight = new AsyncLocalStorage<{ readonly requestId: string; readonly res: Response }>();

/**
 * The last guard: an exception or rejection nobody caught (a stray stream error, a bug) is logged with the
 * request it came from, that request gets a 500 when it can still be answered, and the runtime keeps
 * serving every other tenant instead of exiting. Errors are fixed where they arise; this only keeps one
 * request's failure from becoming everyone's. Returns the function that removes the guard.
 */
function guardProcess(): () => void {
  const report = (kind: string) => (e: unknown) => {
    const current = inFlight.getStore();
    log.error(`${kind}; the runtime keeps serving`, { err: e, requestId: current?.requestId ?? null });
    if (current && !current.res.headersSent) {
      current.res
        .status(500)
        .set("connection", "close")
        .json({
          error: { code: "internal", message: `An internal error occurred (request ${current.requestId})` },
        });
    }
  };
  const onException = report("an uncaught exception");
  const onRejection = report("an unhandled promise rejection");
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
  };
}

/** setTimeout's longest delay (~24.8 days); a later slot is waited for in several steps. */
const maxTimerMs = 2 ** 31 - 1;

/** Puts each schedule's next slot on its queue; the slot time is the dedup id, so restarts never double-fire. */
function startSchedules(deps: LocalDeps, functions: readonly HostedFunction[]): () => void {
  const timers = new Map<string, NodeJS.Timeout>();
  for (const fn of functions.filter((f) => f.kind === "schedule")) {
    let schedule: ReturnType<typeof parseSchedule>;
    try {
      schedule = parseSchedule(String(fn.endpoint.scheduleTrigger?.schedule));
    } catch (e) {
      log.error("a schedule cannot run locally", { function: fn.name, err: e });
      continue;
    }
    const arm = (after: Date): void => {
      let slot: Date;
      try {
        slot = schedule.next(after);
      } catch (e) {
        // A schedule that can never fire (`0 0 30 2 *`) is reported, not allowed to stop the runtime.
        log.error("a schedule cannot run locally", { function: fn.name, err: e });
        return;
      }
      const wait = slot.getTime() - deps.clock.now().getTime();
      const timer = setTimeout(
        () => {
          if (wait > maxTimerMs) return arm(new Date(slot.getTime() - 1)); // not there yet: wait again for the same slot
          deps.tasks.enqueueSync(scheduleQueue(fn), { slot: slot.toISOString() }, { id: slot.toISOString() });
          // The next slot after this one, or after now when the process was suspended past it.
          arm(new Date(Math.max(slot.getTime(), deps.clock.now().getTime())));
        },
        Math.min(Math.max(0, wait), maxTimerMs),
      );
      timer.unref();
      timers.set(fn.name, timer);
    };
    arm(deps.clock.now());
  }
  return () => timers.forEach((timer) => clearTimeout(timer));
}

async function serveCallable(
  deps: LocalDeps,
  authenticate: Authenticate,
  fn: HostedFunction,
  req: Request,
  res: Response,
): Promise<void> {
  const streaming = req.header("accept") === "text/event-stream";
  const sendError = (e: unknown) => {
    let status: number;
    let body: { error: unknown };
    if (e instanceof HttpsError) {
      status = e.httpErrorCode.status;
      body = { error: e.toJSON() };
    } else {
      const error = toAppError(e);
      if (!(e instanceof AppError)) log.error("callable failed", { function: fn.name, err: e });
      const https = new HttpsError(error.callableCode as never, error.message, error.details);
      status = https.httpErrorCode.status;
      body = { error: https.toJSON() };
    }
    if (streaming && res.headersSent) {
      res.write(`data: ${JSON.stringify(body)}\n\n`);
      res.end();
    } else res.status(status).json(body);
  };
  try {
    if (req.method !== "POST")
      throw new HttpsError("invalid-argument", `Callable functions accept POST, not ${req.method}`);
    // The credential is checked before the body is read, as for the REST API: a stranger's body costs nothing.
    let auth: { uid: string; token: Record<string, unknown> } | undefined;
    if (req.header("authorization")) {
      const caller = await authenticate(deps, req.header("authorization"));
      // What Firebase would put in `request.auth`; functions that act for a caller authenticate the
      // request themselves with the same `authenticate` (scope and revocation included): see callable.ts.
      auth = {
        uid: caller.uid,
        token: {
          tenantId: caller.tenantId,
          role: caller.role,
          ...(caller.via === "api-key" ? { apiKey: caller.uid } : {}),
          ...(caller.agentId ? { agentId: caller.agentId } : {}),
        },
      };
    }
    if (!(await bufferBody(req, res, deps.config.limits.maxJsonBytes))) return;
    const body = req.body as { data?: unknown } | undefined;
    if (!body || typeof body !== "object" || !("data" in body)) {
      throw new HttpsError(
        "invalid-argument",
        'Bad request: the body must be JSON of the form {"data": ...}',
      );
    }
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    if (streaming) {
      res.status(200).set({ "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.flushHeaders();
    }
    const result = await fn.fn.run!(
      { data: body.data, auth, rawRequest: req, acceptsStreaming: streaming },
      {
        sendChunk: async (chunk: unknown) => {
          if (!streaming || abort.signal.aborted) return false;
          return res.write(`data: ${JSON.stringify({ message: chunk })}\n\n`);
        },
        signal: abort.signal,
      },
    );
    if (abort.signal.aborted) return;
    if (streaming) {
      res.write(`data: ${JSON.stringify({ result: result ?? null })}\n\n`);
      res.end();
    } else res.status(200).json({ result: result ?? null });
  } catch (e) {
    sendError(e);
  }
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { deps } = options;
  const functions = discoverFunctions(options.exports);
  for (const fn of functions.filter((f) => f.kind === "unsupported")) {
    log.warn("this trigger type does not run in local mode", {
      function: fn.name,
      eventType: fn.endpoint.eventTrigger?.eventType,
    });
  }
  const byName = new Map(functions.map((f) => [f.name, f]));

  wireTriggers(deps, functions, options.bucket);
  const handlers: QueueHandler[] = [
    ...functions.filter((f) => f.kind === "task").map(taskHandler),
    ...functions
      .filter((f) => f.kind === "storage" || f.kind === "firestore")
      .map((f) => triggerHandler(f, deps)),
    ...functions.filter((f) => f.kind === "schedule").map(scheduleHandler),
  ];
  const runner = new TaskRunner(deps.tasks, deps.clock, handlers, (queue, ok, ms) =>
    metricsOf(deps).task({ queue, ok, ms }),
  );
  const stopSchedules = startSchedules(deps, functions);
  const unguard = guardProcess();

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  // Express decodes route parameters itself and answers a malformed escape (`/v1/agents/%`) with a bare
  // 500; it is the client's mistake, said as such before any route sees it.
  app.use((req, res, next) => {
    try {
      decodeURIComponent(req.path);
      next();
    } catch {
      res.status(400).json({
        error: { code: "invalid-argument", message: "The URL path has a malformed percent escape" },
      });
    }
  });

  const notFound = (req: Request, res: Response) => {
    res.status(404).json({ error: { code: "not-found", message: `No route for ${req.method} ${req.path}` } });
  };

  // `/__/` is Firebase Hosting's reserved namespace, answered before any function, rewrite or file, as
  // Hosting does, and whether or not the studio is built. The studio reads /__/firebase/init.json to learn
  // its mode (web/src/data/firebase/mode.ts): Hosting answers the web app's config there, this host says
  // it is local mode (a 404 would do too, but the browser logs every failed fetch as a console error).
  // Hosting's other reserved URLs (/__/auth/handler, the SDK scripts) do not exist here: a 404, never the
  // studio's page.
  app.use((req, res, next) => {
    if (!req.path.startsWith("/__/")) return next();
    if (req.path === firebaseInitPath && (req.method === "GET" || req.method === "HEAD"))
      res.set("cache-control", "no-store").json(localModeInit);
    else notFound(req, res);
  });

  const invoke = (fn: HostedFunction, req: Request, res: Response) => {
    const requestId = requestIdFrom(req.header("x-request-id"));
    // The function reads the id from the request, as it would from Google's front end: one id in both logs.
    req.headers["x-request-id"] = requestId;
    return inFlight.run({ requestId, res }, () =>
      withLogContext({ requestId }, async () => {
        if (fn.kind === "callable") await serveCallable(deps, options.authenticate, fn, req, res);
        else if (isReadingOwnBody(fn.fn)) await fn.fn(req, res);
        // As Cloud Functions does before any other HTTPS function runs (it caps requests at 32 MiB).
        else if (await bufferBody(req, res, deps.config.limits.maxUploadBytes + 1024 * 1024))
          await fn.fn(req, res);
      }),
    );
  };

  // Emulator-style URLs: /{project}/{region}/{function}[/...]
  app.all("/:project/:region/:name{/*rest}", (req, res, next) => {
    const fn = byName.get(String(req.params.name));
    if (
      req.params.project !== deps.config.projectId ||
      !fn ||
      (fn.kind !== "https" && fn.kind !== "callable")
    )
      return next();
    // The function sees the path below its own URL (query string kept), as in Cloud Functions.
    const rest = req.url.slice(`/${req.params.project}/${req.params.region}/${req.params.name}`.length);
    req.url = rest.startsWith("/") ? rest : `/${rest}`;
    invoke(fn, req, res).catch(next);
  });

  // Hosting rewrites: the same URLs as production (`/v1/**` → api).
  const rewrites = options.rewrites
    .map((r) => ({ pattern: globToRegExp(r.source), fn: byName.get(r.function) }))
    .filter((r): r is { pattern: RegExp; fn: HostedFunction } => r.fn !== undefined);
  app.use((req, res, next) => {
    const match = rewrites.find((r) => r.pattern.test(req.path));
    if (!match) return next();
    invoke(match.fn, req, res).catch(next);
  });

  if (options.webRoot && fs.existsSync(path.join(options.webRoot, "index.html"))) {
    const root = options.webRoot;
    app.use((_req, res, next) => {
      res.set(studioSecurityHeaders);
      next();
    });
    // Hashed assets: gzipped when accepted, and cached for good (their names change with their content).
    app.use("/assets", gzippedAssets(path.join(root, "assets")));
    app.use(
      "/assets",
      express.static(path.join(root, "assets"), {
        index: false,
        setHeaders: (res) => res.setHeader("cache-control", immutableCache),
      }),
    );
    app.use(express.static(root, { index: false, maxAge: "1h" }));
    app.use((req, res, next) => {
      if (req.method !== "GET" && req.method !== "HEAD") return next();
      // A missing asset is a 404: index.html in its place would fail to parse as a script.
      if (req.path.startsWith("/assets/")) return next();
      res.set("cache-control", "no-cache").sendFile(path.join(root, "index.html"));
    });
  }

  app.use(notFound);
  app.use((err: unknown, _req: Request, res: Response, _next: (e?: unknown) => void) => {
    log.error("unhandled error in the local runtime", { err, requestId: inFlight.getStore()?.requestId });
    if (!res.headersSent)
      res.status(500).json({ error: { code: "internal", message: "An internal error occurred" } });
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(deps.config.local.port, deps.config.local.host, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : deps.config.local.port;
  runner.start();
  // Finished tasks are kept a week so their ids keep deduplicating, then pruned.
  deps.tasks.prune(7 * 24 * 3600 * 1000);

  return {
    url: `http://${deps.config.local.host === "0.0.0.0" ? "127.0.0.1" : deps.config.local.host}:${port}`,
    functions,
    runner,
    close: async () => {
      stopSchedules();
      unguard();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runner.stop();
      // What was measured since the last flush is written before the store closes.
      await closeMetrics(deps);
    },
  };
}
