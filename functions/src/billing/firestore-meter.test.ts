/**
 * The meter and the ledger over Firestore (firebase-admin, real gRPC): what billing writes survives Firestore's
 * encoding (maps keyed by `agent|provider/model.name`, nested counters, integers) and reads back as written,
 * and metering twice counts once. Against `@firestore-emulator/server` here, which has no locking transactions
 * or collection groups (see platform/firebase/firestore-docstore.test.ts): concurrency is proven in local mode
 * (meter.test.ts); with FIRESTORE_EMULATOR_HOST (the official emulator) this runs against it too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../platform/config.js";
import type { Deps } from "../platform/deps.js";
import { firestoreDocStore } from "../platform/firebase/firestore-docstore.js";
import { openTestFirestore } from "../platform/testing/firestore-server.js";
import { randomIds } from "../platform/ids.js";
import { systemClock } from "../platform/clock.js";
import { addCredits, loadAccount } from "./ledger.js";
import { meterEvent } from "./meter.js";
import { creditEntriesPath, rollupSchema, usageDailyPath, usageMonthlyPath } from "./schema.js";
import { usageEventPath } from "./usage.js";

let close: () => Promise<void>;
let deps: Deps;

beforeAll(async () => {
  const firestore = await openTestFirestore("demo-alchemist-billing");
  firestore.db.settings({ ignoreUndefinedProperties: true });
  deps = {
    config: loadConfig({ ALCHEMIST_MODE: "firebase", GCLOUD_PROJECT: "demo-alchemist-billing" }),
    store: firestoreDocStore(firestore.db),
    clock: systemClock,
    ids: randomIds,
  } as unknown as Deps;
  close = firestore.close;
});

afterAll(async () => {
  await close?.();
});

describe("billing over Firestore", () => {
  it("folds a turn into the rollups and the ledger once, with model keys Firestore would split on dots", async () => {
    const tenant = `t${Date.now()}`;
    const at = new Date().toISOString();
    await deps.store.create(usageEventPath(tenant, "turn-1"), {
      kind: "turn",
      agentId: "agent-1",
      agentVersion: 2,
      conversationId: "c1",
      channel: "widget",
      status: "answered",
      model: "openai-compatible/gpt-4.1-mini",
      inputTokens: 1200,
      outputTokens: 300,
      toolCalls: 1,
      embeddingTokens: 12,
      firstTurn: true,
      latencyMs: 640,
      confidence: 0.8,
      at,
      meteredAt: null,
    });
    expect(await meterEvent(deps, tenant, "turn-1")).toBe("metered");
    expect(await meterEvent(deps, tenant, "turn-1")).toBe("already-metered");

    const daily = rollupSchema.parse((await deps.store.get(usageDailyPath(tenant, at.slice(0, 10))))?.data);
    expect(daily).toMatchObject({ turns: 1, answered: 1, conversations: 1, inputTokens: 1200, toolCalls: 1 });
    expect(daily.channels.widget).toMatchObject({ turns: 1, inputTokens: 1200 });
    expect(daily.models["agent-1|openai-compatible/gpt-4.1-mini"]).toMatchObject({
      turns: 1,
      outputTokens: 300,
    });
    expect(daily.latency.reduce((n, c) => n + c, 0)).toBe(1);
    const monthly = rollupSchema.parse(
      (await deps.store.get(usageMonthlyPath(tenant, at.slice(0, 7))))?.data,
    );
    expect(monthly.costMicros).toBe(daily.costMicros);
    expect(daily.costMicros).toBeGreaterThan(0);

    await addCredits(deps, tenant, { id: "op-grant", kind: "grant", amountMicros: 2_000_000, ref: "test" });
    const account = await loadAccount(deps, tenant);
    const entries = await deps.store.query({ collection: creditEntriesPath(tenant) });
    const sum = entries.reduce((n, e) => n + (e.data as { amountMicros: number }).amountMicros, 0);
    expect(account.balanceMicros).toBe(sum);
    expect(entries.some((e) => e.id === "use_turn-1")).toBe(true);
  });
});
