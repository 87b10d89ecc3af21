/**
 * The catalog: the operator's price book and plans, versioned. Each version applies from its
 * `effectiveFrom` on; usage is priced with the version in force when it happened, and a workspace's plan is
 * read from the version in force now. Without any stored version the built-in one (`defaultCatalog`) applies.
 *
 * Prices are integer micro-units of the currency per unit (per million tokens for tokens); a cost is rounded
 * up to the next micro once per event, so it is never a float and never rounds to free.
 */
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { ttlCache } from "../platform/ttl-cache.js";
import type { Counters } from "./schema.js";
import { catalogPath, catalogSchema, catalogsCollection, type Catalog, type Plan } from "./schema.js";
import type { UsageEvent } from "./usage.js";

const mb = 1024 * 1024;

/** The built-in catalog (version 0): example prices in USD, and the free, pro and enterprise plans. */
export const defaultCatalog: Catalog = catalogSchema.parse({
  version: 0,
  effectiveFrom: "1970-01-01T00:00:00Z",
  currency: "usd",
  prices: {
    models: {},
    defaultModel: { inputPerMillion: 150_000, outputPerMillion: 600_000 },
    embeddingPerMillion: 20_000,
    toolCall: 100,
    conversation: 0,
    page: 100,
    message: 5_000,
  },
  plans: {
    free: {
      name: "Free",
      includedCreditsMicros: 5_000_000,
      overage: false,
      priceLabel: "$0",
      limits: {
        conversationsPerDay: { value: 500, hard: true },
        conversationsPerEndUserPerDay: { value: 50, hard: true },
        tokensPerMonth: { value: 5_000_000, hard: true },
        documents: { value: 200, hard: true },
        storageBytes: { value: 200 * mb, hard: true },
        members: { value: 5, hard: true },
        agents: { value: 5, hard: true },
      },
    },
    pro: {
      name: "Pro",
      includedCreditsMicros: 50_000_000,
      overage: true,
      priceLabel: "$49 / month",
      limits: {
        conversationsPerDay: { value: 20_000, hard: false },
        conversationsPerEndUserPerDay: { value: 200, hard: true },
        tokensPerMonth: { value: 200_000_000, hard: false },
        documents: { value: 10_000, hard: true },
        storageBytes: { value: 10 * 1024 * mb, hard: true },
        members: { value: 50, hard: true },
        agents: { value: 100, hard: true },
      },
    },
    enterprise: {
      name: "Enterprise",
      includedCreditsMicros: 0,
      overage: true,
      priceLabel: "Custom",
      limits: {},
    },
  },
  note: "Built-in example prices; an operator sets real ones with `npm run billing -- catalog`.",
});

const cache = ttlCache<Catalog[]>(60_000, 4);

/** Every stored version, oldest first (cached a minute per instance; the operator command forgets it). */
async function loadCatalogs(deps: Deps): Promise<Catalog[]> {
  return cache.get("all", async () => {
    const snaps = await deps.store.query({ collection: catalogsCollection, orderBy: [{ field: "version" }] });
    return snaps.map((s) => catalogSchema.parse(s.data));
  });
}

export const forgetCatalogs = (): void => cache.forget("all");

/** The version in force at `at` (ISO-8601): the newest whose `effectiveFrom` is not after it. */
export async function catalogAt(deps: Deps, at: string): Promise<Catalog> {
  const t = Date.parse(at);
  let found = defaultCatalog;
  for (const c of await loadCatalogs(deps)) {
    if (Date.parse(c.effectiveFrom) <= t && Date.parse(c.effectiveFrom) >= Date.parse(found.effectiveFrom)) {
      found = c;
    }
  }
  return found;
}

/** The catalog's plan, or a clear error naming the plans that exist. */
export function planOf(catalog: Catalog, planId: string): Plan {
  const plan = catalog.plans[planId];
  if (!plan) {
    throw new AppError(
      "failed-precondition",
      `Plan "${planId}" is not in billing catalog version ${catalog.version} (plans: ${Object.keys(catalog.plans).join(", ")})`,
    );
  }
  return plan;
}

/** Stores a new catalog version (the operator command). Versions only grow; an existing one is never changed. */
export async function publishCatalog(deps: Deps, input: unknown, by: string): Promise<Catalog> {
  const draft = catalogSchema.omit({ version: true }).safeParse(input);
  if (!draft.success) {
    throw new AppError(
      "invalid-argument",
      `Invalid catalog: ${draft.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  }
  // Past usage was priced when it was metered: a version may not reach back before now.
  const now = deps.clock.now().getTime();
  if (Date.parse(draft.data.effectiveFrom) < now - 5 * 60_000) {
    throw new AppError(
      "invalid-argument",
      `effectiveFrom (${draft.data.effectiveFrom}) is in the past: a catalog applies from now or a later date`,
    );
  }
  const stored = await loadCatalogs(deps);
  const version = (stored.at(-1)?.version ?? 0) + 1;
  const catalog: Catalog = { ...draft.data, version, createdAt: deps.clock.nowIso(), createdBy: by };
  await deps.store.create(catalogPath(version), catalog);
  forgetCatalogs();
  return catalog;
}

const perMillion = (units: number, price: number): bigint => BigInt(units) * BigInt(price);

/**
 * What an event costs under `catalog`, in micros: each part is units × unit price, the total rounded up to
 * the next micro. Integer arithmetic throughout (BigInt where a product could pass 2^53).
 */
export function costOf(event: UsageEvent, catalog: Catalog): number {
  const p = catalog.prices;
  let millionths = 0n; // micros × 1,000,000
  let whole = 0n; // micros
  switch (event.kind) {
    case "turn": {
      const model = p.models[event.model] ?? p.defaultModel;
      millionths += perMillion(event.inputTokens, model.inputPerMillion);
      millionths += perMillion(event.outputTokens, model.outputPerMillion);
      millionths += perMillion(event.embeddingTokens, p.embeddingPerMillion);
      whole += BigInt(event.toolCalls) * BigInt(p.toolCall);
      if (event.firstTurn) whole += BigInt(p.conversation);
      break;
    }
    case "ingestion":
      millionths += perMillion(event.embeddingTokens, p.embeddingPerMillion);
      whole += BigInt(event.pages) * BigInt(p.page);
      break;
    case "message":
      whole += BigInt(p.message);
      break;
    case "tool":
      whole += BigInt(p.toolCall);
      break;
    case "model": {
      const model = p.models[event.model] ?? p.defaultModel;
      millionths += perMillion(event.inputTokens, model.inputPerMillion);
      millionths += perMillion(event.outputTokens, model.outputPerMillion);
      break;
    }
  }
  const total = whole + (millionths + 999_999n) / 1_000_000n;
  return Number(total);
}

/** The counters an event adds (before cost). */
export function countersOf(event: UsageEvent): Partial<Counters> {
  switch (event.kind) {
    case "turn":
      return {
        turns: event.status === "failed" ? 0 : 1,
        [event.status]: 1,
        conversations: event.firstTurn ? 1 : 0,
        inputTokens: event.inputTokens,
        outputTokens: event.outputTokens,
        embeddingTokens: event.embeddingTokens,
        toolCalls: event.toolCalls,
        confidenceSum: event.confidence ?? 0,
        confidenceCount: event.confidence === null ? 0 : 1,
      };
    case "ingestion":
      return { documents: 1, pages: event.pages, bytes: event.bytes, embeddingTokens: event.embeddingTokens };
    case "message":
      return { messagesSent: 1 };
    case "tool":
      return { toolCalls: 1 };
    case "model":
      // Tokens only: a judge's or simulated user's call is no turn and starts no conversation.
      return { inputTokens: event.inputTokens, outputTokens: event.outputTokens };
  }
}
