/**
 * Request rate limits: token buckets per credential (an API key or a signed-in account), per tenant, and
 * per client on public routes. Buckets live in the DocStore, so every instance of the `api` function draws
 * from the same ones; a bucket refills continuously at `rate` tokens a second up to `burst`.
 *
 * Each draw is decided in a transaction that reads and writes the buckets it concerns, so no update is
 * lost however many instances draw at once. A transaction per request would make a busy tenant's bucket
 * a hot document (Firestore sustains about one write a second per document before contention sets in:
 * https://firebase.google.com/docs/firestore/best-practices#hotspots), so draws are group-committed: per
 * process, one transaction at a time per lane (a tenant, or one public bucket), and every draw that
 * arrives meanwhile is decided, in arrival order, by the next transaction. Under load a transaction
 * settles a whole batch; alone, a request still costs one transaction (two reads, two writes).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Caller } from "./caller.js";
import type { BucketLimit } from "./config.js";
import type { Deps } from "./deps.js";
import { AppError } from "./errors.js";
import { log } from "./log.js";
import type { Clock, DocStore } from "./ports.js";
import { tenantPath } from "./caller.js";

export type { BucketLimit } from "./config.js";

// ---------------------------------------------------------------------------------------------------
// Documents: tenants/{tenantId}/rateLimits/{bucketId} and, for public routes, rateLimits/{bucketId}
// ---------------------------------------------------------------------------------------------------

export const rateLimitBucketSchema = z.object({
  /** Tokens left at `updatedAt` (fractional: the refill is continuous). */
  tokens: z.number().min(0),
  updatedAt: z.string(),
  /**
   * When the bucket is full again. From then on the document says nothing a missing one would not, so
   * a sweep may delete buckets whose `fullAt` has passed.
   */
  fullAt: z.string(),
});

export type RateLimitBucket = z.infer<typeof rateLimitBucketSchema>;

/** Bucket ids are hashes: an IP, an email or a uid never appears in a document path. */
const hashed = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex").slice(0, 40);

export const tenantBucketPath = (tenantId: string): string => `${tenantPath(tenantId)}/rateLimits/tenant`;

export const credentialBucketPath = (tenantId: string, uid: string): string =>
  `${tenantPath(tenantId)}/rateLimits/cred-${hashed(uid)}`;

export const publicBucketPath = (key: string): string => `rateLimits/pub-${hashed(key)}`;

export const uploadBucketPath = (tenantId: string): string =>
  `${tenantPath(tenantId)}/rateLimits/upload-bytes`;

// ---------------------------------------------------------------------------------------------------
// Drawing tokens
// ---------------------------------------------------------------------------------------------------

/** One bucket a request draws from, with what a rejection names it. */
export interface BucketRef {
  readonly path: string;
  readonly limit: BucketLimit;
  /** For logs: which kind of bucket ran dry. */
  readonly kind: "credential" | "tenant" | "public" | "upload";
  /** For the caller: "this API key", "this tenant", ... */
  readonly subject: string;
}

interface Draw {
  readonly buckets: readonly BucketRef[];
  readonly cost: number;
  readonly resolve: (refusal: Refusal | undefined) => void;
  readonly reject: (e: unknown) => void;
}

/** What a refused draw reports: the first bucket that was short, and when it will hold `cost` again. */
interface Refusal {
  readonly bucket: BucketRef;
  readonly retryAfterSeconds: number;
}

/** A Firestore transaction may write 500 documents; a batch touches at most one per draw plus the lane's. */
const maxBatch = 100;

function refilled(data: unknown, limit: BucketLimit, now: number): number {
  const parsed = rateLimitBucketSchema.safeParse(data);
  if (!parsed.success) return limit.burst; // missing (or unreadable): a bucket starts full
  // Clocks of instances may disagree a little; time never runs backwards for a bucket.
  const elapsed = Math.max(0, now - Date.parse(parsed.data.updatedAt)) / 1000;
  return Math.min(limit.burst, parsed.data.tokens + elapsed * limit.rate);
}

/** Whole seconds until `tokens` reaches `cost`, at least 1 (the `Retry-After` header's unit). */
const secondsUntil = (tokens: number, cost: number, limit: BucketLimit): number =>
  Math.max(1, Math.ceil((cost - tokens) / limit.rate));

/**
 * The draws of one process. Lanes are keyed by the bucket every draw in them shares (the tenant's, or
 * the public bucket), so one transaction at a time touches it from here.
 */
export class RateLimiter {
  /** Draws waiting per lane; a lane is present while its transaction runs. */
  private readonly lanes = new Map<string, Draw[]>();

  constructor(
    private readonly store: DocStore,
    private readonly clock: Clock,
  ) {}

  /** Takes `cost` tokens from every bucket, or from none and rejects with `resource-exhausted`. */
  draw(lane: string, buckets: readonly BucketRef[], cost: number): Promise<void> {
    const decided = new Promise<Refusal | undefined>((resolve, reject) => {
      const draw: Draw = { buckets, cost, resolve, reject };
      const waiting = this.lanes.get(lane);
      if (waiting) {
        waiting.push(draw);
        return;
      }
      this.lanes.set(lane, [draw]);
      void this.run(lane);
    });
    // Continued here, not in the lane's loop: the log line carries this request's id, not the id of the
    // request that happened to start the lane.
    return decided.then(
      (refusal) => {
        if (refusal) throw refused(refusal);
      },
      (e: unknown) => {
        throw contended(e, lane);
      },
    );
  }

  private async run(lane: string): Promise<void> {
    for (;;) {
      const waiting = this.lanes.get(lane) as Draw[];
      if (waiting.length === 0) {
        this.lanes.delete(lane);
        return;
      }
      const batch = waiting.splice(0, maxBatch);
      try {
        const refusals = await this.settle(batch);
        batch.forEach((d, i) => d.resolve(refusals[i]));
      } catch (e) {
        for (const d of batch) d.reject(e);
      }
    }
  }

  /** One transaction decides a batch in arrival order; it may run again on contention, from fresh reads. */
  private settle(batch: readonly Draw[]): Promise<(Refusal | undefined)[]> {
    return this.store.runTransaction(async (tx) => {
      const limits = new Map<string, BucketLimit>();
      for (const d of batch) for (const b of d.buckets) if (!limits.has(b.path)) limits.set(b.path, b.limit);
      const paths = [...limits.keys()];
      const snapshots = await Promise.all(paths.map((p) => tx.get(p)));
      const now = this.clock.now().getTime();
      const tokens = new Map(
        paths.map((p, i) => [p, refilled(snapshots[i]?.data, limits.get(p) as BucketLimit, now)]),
      );
      const drawn = new Set<string>();
      const refusals = batch.map((d): Refusal | undefined => {
        const short = d.buckets.find((b) => (tokens.get(b.path) as number) < d.cost);
        if (short) {
          return {
            bucket: short,
            retryAfterSeconds: secondsUntil(tokens.get(short.path) as number, d.cost, short.limit),
          };
        }
        for (const b of d.buckets) {
          tokens.set(b.path, (tokens.get(b.path) as number) - d.cost);
          drawn.add(b.path);
        }
        return undefined;
      });
      // A bucket nobody drew from is unchanged: its refill follows from the stored state.
      for (const path of drawn) {
        const left = tokens.get(path) as number;
        const limit = limits.get(path) as BucketLimit;
        const bucket: RateLimitBucket = {
          tokens: left,
          updatedAt: new Date(now).toISOString(),
          fullAt: new Date(now + ((limit.burst - left) / limit.rate) * 1000).toISOString(),
        };
        tx.set(path, bucket);
      }
      return refusals;
    });
  }
}

/** Logged once per refused request; the bucket path holds ids and hashes only. */
function refused(refusal: Refusal): AppError {
  log.warn("rate limited", {
    bucket: refusal.bucket.kind,
    bucketPath: refusal.bucket.path,
    retryAfterSeconds: refusal.retryAfterSeconds,
  });
  return new AppError(
    "resource-exhausted",
    `Rate limit exceeded for ${refusal.bucket.subject}; retry in ${refusal.retryAfterSeconds} s`,
    { retryAfterSeconds: refusal.retryAfterSeconds },
  );
}

/**
 * A transaction that kept losing to other instances (the store gave up retrying) means the buckets are
 * drawn from faster than they can be written: answer as a limit, not as a failure.
 */
function contended(e: unknown, lane: string): unknown {
  if (!(e instanceof AppError) || e.code !== "aborted") return e;
  log.warn("rate limiter contention", { lane });
  return new AppError("resource-exhausted", "Too many concurrent requests; retry in 1 s", {
    retryAfterSeconds: 1,
  });
}

const limiters = new WeakMap<DocStore, RateLimiter>();

function limiterOf(deps: Deps): RateLimiter {
  let limiter = limiters.get(deps.store);
  if (!limiter) {
    limiter = new RateLimiter(deps.store, deps.clock);
    limiters.set(deps.store, limiter);
  }
  return limiter;
}

/**
 * When the buckets cannot be written (a full disk, a failing store), a read is let through and a write is
 * refused: reading a workspace must keep working while nothing can be saved, and a write would fail anyway.
 * Both are logged, so an operator sees the limiter is not limiting.
 */
function unrecorded(e: unknown, access: "read" | "write"): void {
  if (e instanceof AppError && e.code === "resource-exhausted") throw e;
  if (access === "read") {
    log.warn("rate limiter cannot record requests; letting reads through unlimited", { err: e });
    return;
  }
  log.warn("rate limiter cannot record requests; refusing writes", { err: e });
  throw e instanceof AppError && e.code === "unavailable"
    ? e
    : new AppError("unavailable", "The platform cannot record requests right now; try again in a moment");
}

/**
 * Charges an authenticated request to its credential's bucket and its tenant's, in one transaction.
 * Throws `resource-exhausted` (429) with `details.retryAfterSeconds` when either is empty. `access` says
 * what to do when the buckets cannot be written at all (see `unrecorded`).
 */
export async function consume(
  deps: Deps,
  caller: Caller,
  cost = 1,
  access: "read" | "write" = "write",
): Promise<void> {
  const { perKey, perTenant } = deps.config.rateLimits;
  const buckets: BucketRef[] = [];
  if (perKey) {
    buckets.push({
      path: credentialBucketPath(caller.tenantId, caller.uid),
      limit: perKey,
      kind: "credential",
      subject: caller.via === "api-key" ? "this API key" : "this account",
    });
  }
  if (perTenant) {
    buckets.push({
      path: tenantBucketPath(caller.tenantId),
      limit: perTenant,
      kind: "tenant",
      subject: "this tenant",
    });
  }
  if (buckets.length === 0) return;
  try {
    await limiterOf(deps).draw(tenantPath(caller.tenantId), buckets, cost);
  } catch (e) {
    unrecorded(e, access);
  }
}

/**
 * Each file of an upload costs at least this many bytes of the budget: a flood of tiny files makes as many
 * documents and tasks as large ones, so it must not be nearly free.
 */
export const minUploadCostBytes = 64 * 1024;

/** What an upload of `bytes` (unknown before a chunked body is read) in `files` files costs, in bytes. */
export function uploadCost(bytes: number | undefined, files: number): number {
  return Math.max(bytes ?? 0, Math.max(1, files) * minUploadCostBytes);
}

/**
 * Charges an upload to its tenant's upload budget, by size rather than by request, so a client sending many
 * small files (one per request or several per request) is limited by what it sends, not by how it batches.
 */
export async function consumeUploadBytes(deps: Deps, caller: Caller, bytes: number): Promise<void> {
  const limit = deps.config.rateLimits.uploadBytes;
  if (!limit) return;
  const bucket: BucketRef = {
    path: uploadBucketPath(caller.tenantId),
    limit,
    kind: "upload",
    subject: "this tenant's uploads",
  };
  // More than a full bucket could never be granted: the route's own size limit answers such a body.
  await limiterOf(deps).draw(tenantPath(caller.tenantId), [bucket], Math.min(bytes, limit.burst));
}

export interface PublicLimit extends BucketLimit {
  /** How a refusal names what was limited ("too many sign-in attempts for ..."); `this client` by default. */
  readonly subject?: string;
}

/**
 * Charges a request without credentials to the bucket of `key`: a string that says what is limited, e.g.
 * `ip:203.0.113.7` or `login:203.0.113.7:ada@example.com` (it is hashed before it is stored or logged).
 */
export async function limitPublic(deps: Deps, key: string, limit: PublicLimit, cost = 1): Promise<void> {
  const path = publicBucketPath(key);
  const bucket: BucketRef = {
    path,
    limit: { rate: limit.rate, burst: limit.burst },
    kind: "public",
    subject: limit.subject ?? "this client",
  };
  await limiterOf(deps).draw(path, [bucket], cost);
}

/** The `Retry-After` seconds an error carries, if it is a rate-limit refusal. */
export function retryAfterOf(error: AppError): number | undefined {
  if (error.code !== "resource-exhausted") return undefined;
  const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === "number" && Number.isFinite(seconds)
    ? Math.max(1, Math.ceil(seconds))
    : undefined;
}
