/**
 * The meter over the local platform: every usage event is folded into the rollups and the ledger exactly
 * once, whatever the deliveries do (repeated, racing, crashing before commit), and the rollups agree with
 * the decision traces they summarize.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { traceSchema } from "../accountability/schema.js";
import { startConversation } from "../agents/conversations.js";
import { sendMessage } from "../agents/turn.js";
import type { Deps } from "../platform/deps.js";
import type { DocStore } from "../platform/ports.js";
import { json, setUpAgents, vacationQuestion } from "../channels/openai/testing/fixture.js";
import { addCredits, changePlan } from "./ledger.js";
import { meterEvent } from "./meter.js";
import { accountPath, accountSchema, creditEntrySchema, rollupSchema } from "./schema.js";
import { usageEventSchema } from "./usage.js";
import { sweepUnmetered } from "./daily.js";

let platform: TestPlatform;
let hr: string;

beforeAll(async () => {
  platform = await startTestPlatform({
    RATE_LIMIT_PUBLIC_PER_IP: "0",
    RATE_LIMIT_PER_KEY: "0",
    RATE_LIMIT_PER_TENANT: "0",
  });
  ({
    agents: { hr },
  } = await setUpAgents(platform));
});

afterAll(async () => {
  await platform?.close();
});

/** A random source that repeats from its seed: the injected faults are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The store with transactions that crash after doing their work, before committing, `rate` of the time. */
function crashingStore(store: DocStore, rate: number, random: () => number): DocStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "runTransaction") {
        return <R>(fn: Parameters<DocStore["runTransaction"]>[0]) =>
          target.runTransaction(async (tx) => {
            const result = (await fn(tx)) as R;
            if (random() < rate) throw new Error("injected crash before commit");
            return result;
          });
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function allMetered(tenantId: string): Promise<void> {
  await until("every usage event is metered", async () => {
    const events = await platform.deps.store.query({ collection: `tenants/${tenantId}/usageEvents` });
    return events.every((e) => typeof (e.data as { meteredAt?: unknown }).meteredAt === "string");
  });
}

async function sumRollups(tenantId: string, collection: "usageDaily" | "usageMonthly") {
  const snaps = await platform.deps.store.query({ collection: `tenants/${tenantId}/${collection}` });
  const sum = {
    turns: 0,
    failed: 0,
    inputTokens: 0,
    outputTokens: 0,
    costMicros: 0,
    documents: 0,
    toolCalls: 0,
  };
  for (const s of snaps) {
    const r = rollupSchema.parse(s.data);
    for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += r[k];
  }
  return sum;
}

async function ledgerOf(tenantId: string) {
  const entries = (await platform.deps.store.query({ collection: `tenants/${tenantId}/creditEntries` })).map(
    (e) => ({
      id: e.id,
      ...creditEntrySchema.parse(e.data),
    }),
  );
  const account = accountSchema.parse((await platform.deps.store.get(accountPath(tenantId)))?.data);
  return { entries, account, sum: entries.reduce((n, e) => n + e.amountMicros, 0) };
}

describe("the meter", () => {
  it("folds turns and ingestion into the day, month and model rollups, priced, and the ledger", async () => {
    const conversation = await json<{ id: string }>(
      await platform.fetch(`/v1/agents/${hr}/conversations`, { method: "POST", json: {} }),
    );
    for (const content of [vacationQuestion, "What is the capital of Peru?"]) {
      const res = await platform.fetch(`/v1/conversations/${conversation.id}/messages`, {
        method: "POST",
        json: { content },
      });
      expect(res.status).toBe(200);
    }
    await allMetered("acme");
    const events = (await platform.deps.store.query({ collection: "tenants/acme/usageEvents" })).map((e) =>
      usageEventSchema.parse(e.data),
    );
    const turns = events.filter((e) => e.kind === "turn");
    expect(turns.length).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.kind === "ingestion").length).toBeGreaterThanOrEqual(1);
    // Only the conversation's first turn starts a billable conversation.
    expect(
      turns.filter((e) => e.kind === "turn" && e.conversationId === conversation.id && e.firstTurn),
    ).toHaveLength(1);

    const daily = await sumRollups("acme", "usageDaily");
    const monthly = await sumRollups("acme", "usageMonthly");
    expect(daily).toEqual(monthly);
    expect(daily.inputTokens).toBe(turns.reduce((n, e) => n + (e.kind === "turn" ? e.inputTokens : 0), 0));
    expect(daily.documents).toBe(events.filter((e) => e.kind === "ingestion").length);
    expect(daily.costMicros).toBeGreaterThan(0);

    const byModel = await platform.deps.store.query({ collection: "tenants/acme/usageByModel" });
    expect(byModel.length).toBeGreaterThan(0);
    const modelTurns = byModel.reduce((n, s) => n + rollupSchema.parse(s.data).turns, 0);
    expect(modelTurns).toBe(daily.turns);

    // Consumption: one ledger entry per priced event, and the balance is the sum of the entries.
    const { entries, account, sum } = await ledgerOf("acme");
    const consumed = -entries.filter((e) => e.kind === "consumption").reduce((n, e) => n + e.amountMicros, 0);
    expect(consumed).toBe(daily.costMicros);
    expect(account.balanceMicros).toBe(sum);
  });

  it("meters 1,000 turns exactly once through repeated, racing and crashing deliveries", async () => {
    const tenantId = "globex";
    const deps = platform.deps as unknown as Deps;
    await changePlan(deps, tenantId, "enterprise");
    const agent = await json<{ id: string }>(
      await platform.fetch("/v1/agents", {
        method: "POST",
        key: platform.keys.otherTenantOwner,
        json: {
          name: "Counter",
          instructions: "Answer briefly.",
          knowledgeBaseIds: [],
          confidenceThreshold: 0,
          memoryWindow: 4,
        },
      }),
    );
    const random = seeded(20261205);
    const faulty: Deps = { ...deps, store: crashingStore(deps.store, 0.3, random) };
    // One model call in ten fails: a failed turn is metered too, with what it spent before failing.
    const flaky: Deps = {
      ...deps,
      chat: {
        info: deps.chat.info,
        complete: (request) =>
          random() < 0.1
            ? Promise.reject(new Error("injected provider outage"))
            : deps.chat.complete(request),
        stream: (request) => {
          if (random() < 0.1) throw new Error("injected provider outage");
          return deps.chat.stream(request);
        },
      },
    };
    const conversations: string[] = [];
    for (let i = 0; i < 50; i++) {
      conversations.push(
        (await startConversation(deps, tenantId, agent.id, { channel: "api", version: "draft" })).id,
      );
    }
    const turns = 1000;
    const deliveries: Promise<unknown>[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < turns) {
        const i = next++;
        const conversationId = conversations[i % conversations.length] as string;
        const answer = await sendMessage(flaky, tenantId, conversationId, {
          content: `Question number ${i}?`,
        }).catch((e: unknown) => e);
        // An answer carries its trace id; a failed turn's error does in its details.
        const traceId =
          (answer as { traceId?: string }).traceId ??
          (answer as { details?: { traceId?: string } }).details?.traceId;
        if (!traceId) continue;
        // Besides the runtime's own trigger delivery: 0 to 3 more, some crashing before they commit.
        const extra = Math.floor(random() * 4);
        for (let d = 0; d < extra; d++) {
          deliveries.push(meterEvent(faulty, tenantId, traceId).catch(() => "crashed"));
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await Promise.all(deliveries);
    await allMetered(tenantId);

    const traces = (await platform.deps.store.query({ collection: `tenants/${tenantId}/traces` })).map((t) =>
      traceSchema.parse(t.data),
    );
    expect(traces).toHaveLength(turns);
    const sum = await sumRollups(tenantId, "usageDaily");
    expect(sum.turns + sum.failed).toBe(turns);
    expect(sum.failed).toBeGreaterThan(0);
    expect(sum.failed).toBe(traces.filter((t) => t.status === "failed").length);
    expect(sum.inputTokens).toBe(traces.reduce((n, t) => n + t.generation.usage.inputTokens, 0));
    expect(sum.outputTokens).toBe(traces.reduce((n, t) => n + t.generation.usage.outputTokens, 0));
    expect(await sumRollups(tenantId, "usageMonthly")).toEqual(sum);
    const { entries, account, sum: ledgerSum } = await ledgerOf(tenantId);
    expect(entries.filter((e) => e.kind === "consumption")).toHaveLength(turns);
    expect(-entries.filter((e) => e.kind === "consumption").reduce((n, e) => n + e.amountMicros, 0)).toBe(
      sum.costMicros,
    );
    expect(account.balanceMicros).toBe(ledgerSum);
  }, 240_000);

  it("the sweep meters events no trigger delivered, and metering again changes nothing", async () => {
    const deps = platform.deps as unknown as Deps;
    const before = await sumRollups("acme", "usageDaily");
    // An event as a turn writes it, 20 minutes old, whose trigger never ran (written behind the runtime's back
    // would still trigger: this one is metered by the sweep or the trigger, whichever comes first).
    const at = new Date(Date.now() - 20 * 60_000).toISOString();
    await deps.store.create("tenants/acme/usageEvents/swept-event", {
      kind: "turn",
      agentId: hr,
      agentVersion: 1,
      conversationId: "c-swept",
      channel: "api",
      status: "answered",
      model: "local/extractive",
      inputTokens: 1000,
      outputTokens: 100,
      toolCalls: 0,
      embeddingTokens: 10,
      firstTurn: false,
      latencyMs: 120,
      confidence: 0.9,
      at,
      meteredAt: null,
    });
    await sweepUnmetered(deps);
    await allMetered("acme");
    expect(await meterEvent(deps, "acme", "swept-event")).toBe("already-metered");
    const after = await sumRollups("acme", "usageDaily");
    expect(after.inputTokens - before.inputTokens).toBe(1000);
    expect(after.turns - before.turns).toBe(1);
  });

  it("keeps the balance equal to the sum of the ledger under grants racing consumption", async () => {
    const deps = platform.deps as unknown as Deps;
    const grants = Array.from({ length: 20 }, (_, i) =>
      addCredits(deps, "acme", { id: `test_grant_${i}`, kind: "grant", amountMicros: 1000 + i, ref: "test" }),
    );
    const replays = Array.from({ length: 20 }, (_, i) =>
      addCredits(deps, "acme", { id: `test_grant_${i}`, kind: "grant", amountMicros: 1000 + i, ref: "test" }),
    );
    const outcomes = await Promise.all([...grants, ...replays]);
    expect(outcomes.filter((o) => o.applied)).toHaveLength(20);
    const { account, sum, entries } = await ledgerOf("acme");
    expect(account.balanceMicros).toBe(sum);
    expect(entries.filter((e) => e.id.startsWith("test_grant_"))).toHaveLength(20);
  });
});
