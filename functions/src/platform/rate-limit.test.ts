import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Caller } from "./caller.js";
import { manualClock } from "./clock.js";
import { loadConfig } from "./config.js";
import { AppError } from "./errors.js";
import { setLogSink, withLogContext } from "./log.js";
import { openLocalDeps, type LocalDeps } from "@alchemist/local/adapters/deps";
import type { DocStore, Transaction } from "./ports.js";
import {
  consume,
  credentialBucketPath,
  limitPublic,
  RateLimiter,
  retryAfterOf,
  tenantBucketPath,
  type BucketRef,
} from "./rate-limit.js";

const key = (tenantId: string, keyId: string): Caller => ({
  tenantId,
  role: "editor",
  uid: `apikey:${keyId}`,
  via: "api-key",
});

let deps: LocalDeps;
let clock: ReturnType<typeof manualClock>;
let dataDir: string;
let warnings: Record<string, unknown>[];
let restoreSink: ReturnType<typeof setLogSink>;

async function open(env: Record<string, string>): Promise<void> {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-ratelimit-"));
  clock = manualClock();
  const config = loadConfig({ ...env, ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir });
  deps = await openLocalDeps(config, { clock });
}

/** Resolves to "ok" or the refusal's retry-after seconds. */
async function outcome(p: Promise<void>): Promise<"ok" | number> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof AppError && e.code === "resource-exhausted") return retryAfterOf(e) as number;
    throw e;
  }
}

/**
 * The store with each transaction read and commit taking `ms`, as Firestore's round trips do (the
 * SQLite store answers in microseconds, which hides contention), counting transactions and attempts.
 */
function latent(store: DocStore, ms: number) {
  const counts = { transactions: 0, attempts: 0, failNext: false };
  const pause = () => new Promise((resolve) => setTimeout(resolve, ms));
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === "runTransaction") {
        return async <R>(fn: (tx: Transaction) => Promise<R>): Promise<R> => {
          counts.transactions++;
          if (counts.failNext) {
            counts.failNext = false;
            throw new AppError("unavailable", "The store is unreachable");
          }
          return target.runTransaction(async (tx) => {
            counts.attempts++;
            const slow: Transaction = {
              ...tx,
              get: async (path) => (await pause(), tx.get(path)),
              set: (path, data) => (tx.set(path, data), slow),
            };
            const result = await fn(slow);
            await pause();
            return result;
          });
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, counts };
}

beforeEach(() => {
  warnings = [];
  restoreSink = setLogSink((line, severity) => {
    if (severity === "WARNING") warnings.push(JSON.parse(line) as Record<string, unknown>);
  });
});

afterEach(() => {
  setLogSink(restoreSink);
  deps?.local.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("per API key and per tenant", () => {
  it("lets a burst through, refuses the next request with a retry time, and refills with time", async () => {
    // 60 a minute: one token a second, 3 at most.
    await open({ RATE_LIMIT_PER_KEY: "60", RATE_LIMIT_PER_KEY_BURST: "3", RATE_LIMIT_PER_TENANT: "0" });
    const caller = key("acme", "k1");
    for (let i = 0; i < 3; i++) expect(await outcome(consume(deps, caller))).toBe("ok");

    const refusal = await consume(deps, caller).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({
      code: "resource-exhausted",
      status: 429,
      message: "Rate limit exceeded for this API key; retry in 1 s",
      details: { retryAfterSeconds: 1 },
    });

    clock.advance(999);
    expect(await outcome(consume(deps, caller))).toBe(1);
    clock.advance(1);
    expect(await outcome(consume(deps, caller))).toBe("ok");
    expect(await outcome(consume(deps, caller))).toBe(1);

    // A long pause refills up to the burst, not beyond.
    clock.advance(60_000);
    const results = await Promise.all(Array.from({ length: 5 }, () => outcome(consume(deps, caller))));
    expect(results).toEqual(["ok", "ok", "ok", 1, 1]);
  });

  it("shares the tenant's bucket among its keys, and keeps tenants apart", async () => {
    await open({ RATE_LIMIT_PER_KEY: "600", RATE_LIMIT_PER_TENANT: "60", RATE_LIMIT_PER_TENANT_BURST: "4" });
    expect(await outcome(consume(deps, key("acme", "k1")))).toBe("ok");
    expect(await outcome(consume(deps, key("acme", "k1")))).toBe("ok");
    expect(await outcome(consume(deps, key("acme", "k2")))).toBe("ok");
    expect(await outcome(consume(deps, key("acme", "k3")))).toBe("ok");

    const refusal = await consume(deps, key("acme", "k4")).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ message: "Rate limit exceeded for this tenant; retry in 1 s" });
    expect(await outcome(consume(deps, key("globex", "k9")))).toBe("ok");
  });

  it("names an account, not a key, when a signed-in user runs out", async () => {
    await open({ RATE_LIMIT_PER_KEY: "60", RATE_LIMIT_PER_KEY_BURST: "1", RATE_LIMIT_PER_TENANT: "0" });
    const user: Caller = { tenantId: "acme", role: "viewer", uid: "u-ada", via: "id-token" };
    await consume(deps, user);
    await expect(consume(deps, user)).rejects.toThrow("Rate limit exceeded for this account; retry in 1 s");
  });

  it("takes nothing from the tenant when the key's bucket is empty", async () => {
    await open({
      RATE_LIMIT_PER_KEY: "60",
      RATE_LIMIT_PER_KEY_BURST: "2",
      RATE_LIMIT_PER_TENANT: "60",
      RATE_LIMIT_PER_TENANT_BURST: "10",
    });
    for (let i = 0; i < 8; i++) await outcome(consume(deps, key("acme", "greedy")));
    const tenant = await deps.store.get<{ tokens: number }>(tenantBucketPath("acme"));
    expect(tenant?.data.tokens).toBe(8); // two drawn, six refused at no cost
    expect(await outcome(consume(deps, key("acme", "polite")))).toBe("ok");
  });

  it("retries later when a burst is spent: the wait grows with the deficit of a costlier request", async () => {
    await open({ RATE_LIMIT_PER_KEY: "6", RATE_LIMIT_PER_KEY_BURST: "2", RATE_LIMIT_PER_TENANT: "0" });
    const caller = key("acme", "slow");
    await consume(deps, caller, 2);
    // 6 a minute = one token every 10 s; 2 tokens are 20 s away.
    const refusal = await consume(deps, caller, 2).catch((e: unknown) => e as AppError);
    expect(retryAfterOf(refusal as AppError)).toBe(20);
  });

  it("writes no document and needs no transaction when both limits are off", async () => {
    await open({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
    for (let i = 0; i < 50; i++) await consume(deps, key("acme", "k1"));
    expect(await deps.store.count({ collection: "tenants/acme/rateLimits" })).toBe(0);
  });

  it("logs each refusal under the id of the request it refused, also when a batch settles it", async () => {
    await open({ RATE_LIMIT_PER_KEY: "60", RATE_LIMIT_PER_KEY_BURST: "1", RATE_LIMIT_PER_TENANT: "0" });
    const { store } = latent(deps.store, 5);
    const slowDeps = { ...deps, store };
    const caller = key("acme", "k1");
    const ids = ["req-a", "req-b", "req-c", "req-d"];
    const results = await Promise.all(
      ids.map((requestId) => withLogContext({ requestId }, () => outcome(consume(slowDeps, caller)))),
    );
    expect(results).toEqual(["ok", 1, 1, 1]);
    expect(warnings.map((w) => w.requestId)).toEqual(["req-b", "req-c", "req-d"]);
  });

  it("logs each refusal once, with the bucket and no credential", async () => {
    await open({ RATE_LIMIT_PER_KEY: "60", RATE_LIMIT_PER_KEY_BURST: "1", RATE_LIMIT_PER_TENANT: "0" });
    const caller = key("acme", "k1");
    await Promise.all(Array.from({ length: 4 }, () => outcome(consume(deps, caller))));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatchObject({
      severity: "WARNING",
      message: "rate limited",
      bucket: "credential",
      bucketPath: credentialBucketPath("acme", "apikey:k1"),
      retryAfterSeconds: 1,
    });
  });
});

describe("public routes", () => {
  it("limits each key on its own and never stores the IP or the email", async () => {
    await open({});
    const limit = { rate: 1 / 60, burst: 2, subject: "sign-ins from this address" };
    const ada = "login:203.0.113.7:ada@example.com";
    expect(await outcome(limitPublic(deps, ada, limit))).toBe("ok");
    expect(await outcome(limitPublic(deps, ada, limit))).toBe("ok");
    await expect(limitPublic(deps, ada, limit)).rejects.toThrow(
      "Rate limit exceeded for sign-ins from this address; retry in 60 s",
    );
    expect(await outcome(limitPublic(deps, "login:203.0.113.7:grace@example.com", limit))).toBe("ok");

    const buckets = await deps.store.query({ collection: "rateLimits" });
    expect(buckets).toHaveLength(2);
    const stored = JSON.stringify(buckets) + JSON.stringify(warnings);
    for (const secret of ["203.0.113.7", "ada@example.com", "grace"]) expect(stored).not.toContain(secret);
  });
});

describe("across instances", () => {
  const draws = (n: number): BucketRef[][] =>
    Array.from({ length: n }, (_, i) => [
      {
        path: `tenants/acme/rateLimits/cred-${i % 4}`,
        limit: { rate: 1 / 60, burst: 1000 },
        kind: "credential",
        subject: "this API key",
      },
      {
        path: "tenants/acme/rateLimits/tenant",
        limit: { rate: 1 / 60, burst: 50 },
        kind: "tenant",
        subject: "this tenant",
      },
    ]);

  it("admits exactly the burst when three instances draw from one bucket at once", async () => {
    await open({});
    const { store, counts } = latent(deps.store, 5);
    // Three processes: each has its own limiter (its own lanes), all share the store.
    const instances = [0, 1, 2].map(() => new RateLimiter(store, clock));
    const results = await Promise.all(
      draws(300).map((buckets, i) =>
        outcome((instances[i % 3] as RateLimiter).draw("tenants/acme", buckets, 1)),
      ),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(50);
    expect(results.filter((r) => r === 60)).toHaveLength(250);
    const stored = await deps.store.get<{ tokens: number }>("tenants/acme/rateLimits/tenant");
    expect(stored?.data.tokens).toBe(0);
    // The instances did collide (a transaction ran again on fresh reads), and still lost no update.
    expect(counts.attempts).toBeGreaterThan(counts.transactions);
  });

  it("settles a crowd of concurrent requests in a few transactions, not one each", async () => {
    await open({});
    const { store, counts } = latent(deps.store, 5);
    const limiter = new RateLimiter(store, clock);
    const results = await Promise.all(
      draws(200).map((buckets) => outcome(limiter.draw("tenants/acme", buckets, 1))),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(50);
    // The first draw runs alone; the rest queue behind it and are settled in batches of at most 100.
    expect(counts.transactions).toBeLessThanOrEqual(3);
  });

  it("fails the draws of a transaction the store refused, and serves the next ones", async () => {
    await open({});
    const { store, counts } = latent(deps.store, 1);
    const limiter = new RateLimiter(store, clock);
    counts.failNext = true;
    await expect(limiter.draw("tenants/acme", draws(1)[0] as BucketRef[], 1)).rejects.toMatchObject({
      code: "unavailable",
    });
    expect(await outcome(limiter.draw("tenants/acme", draws(1)[0] as BucketRef[], 1))).toBe("ok");
  });
});
