/**
 * A workspace's billing account and its credits ledger.
 *
 * The ledger (`creditEntries`) is append-only: grants, top-ups, consumption, refunds, expiries and operator
 * adjustments. Every entry is written in one transaction with the account, whose `balanceMicros` is therefore
 * always the sum of the entries; entry ids are deterministic where the cause has an id (`use_{eventId}`,
 * `topup_{stripeEventId}`, `grant_{period}`), so a retried or replayed cause adds nothing.
 *
 * Periods are calendar months (UTC). At the first write of a new period the unused included credits of the
 * last one expire and the plan's included credits are granted (`rollover`). Included credits are spent first.
 */
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { Transaction } from "../platform/ports.js";
import { catalogAt, planOf } from "./catalog.js";
import {
  accountPath,
  accountSchema,
  creditEntryPath,
  type Account,
  type Catalog,
  type CreditEntry,
  type CreditKind,
} from "./schema.js";

/** `yyyy-mm` of an ISO-8601 instant. */
export const periodOf = (iso: string): string => iso.slice(0, 7);
/** `yyyy-mm-dd` of an ISO-8601 instant. */
export const dayOf = (iso: string): string => iso.slice(0, 10);

/** The first instant after a `yyyy-mm` period. */
export function periodEnd(period: string): string {
  const [y, m] = period.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString();
}

/** The first instant after a `yyyy-mm-dd` day. */
export const dayEnd = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();

export interface Entry {
  readonly id: string;
  readonly entry: CreditEntry;
}

/** An account and the entries that bring it to its state; `apply` adds one more. */
export class Ledger {
  readonly entries: Entry[] = [];
  constructor(
    public account: Account,
    private readonly now: string,
  ) {}

  /** `included`: a grant of the plan's included credits (spent first, expiring at the period's end). */
  apply(
    id: string,
    kind: CreditKind,
    amountMicros: number,
    ref: string,
    note = "",
    options: { included?: boolean } = {},
  ): void {
    if (!Number.isSafeInteger(amountMicros))
      throw new AppError("invalid-argument", "An amount must be whole micros");
    const balanceAfterMicros = this.account.balanceMicros + amountMicros;
    let includedRemainingMicros = this.account.includedRemainingMicros;
    if (options.included) includedRemainingMicros += amountMicros;
    if (kind === "expiry") includedRemainingMicros = 0;
    if (kind === "consumption") includedRemainingMicros = Math.max(0, includedRemainingMicros + amountMicros);
    this.account = {
      ...this.account,
      balanceMicros: balanceAfterMicros,
      includedRemainingMicros,
      updatedAt: this.now,
    };
    this.entries.push({ id, entry: { kind, amountMicros, balanceAfterMicros, at: this.now, ref, note } });
  }
}

function freshAccount(now: string): Account {
  return {
    planId: "free",
    status: "active",
    balanceMicros: 0,
    includedRemainingMicros: 0,
    period: "",
    graceUntil: null,
    stripeCustomerId: null,
    stripeSubscriptionId: null,
    subscriptionEventAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * The account as of `now`: created on the free plan when missing, rolled into the current period (the last
 * period's unused included credits expire, this one's are granted), and a past-due account whose grace ended
 * restricted. Pure: `commitLedger` writes what it returns.
 */
export function accountAsOf(stored: Account | null, now: string, catalog: Catalog): Ledger {
  const ledger = new Ledger(stored ?? freshAccount(now), now);
  const period = periodOf(now);
  const account = ledger.account;
  if (account.period !== period) {
    if (account.period && account.includedRemainingMicros > 0) {
      const expiring = Math.min(account.includedRemainingMicros, Math.max(0, account.balanceMicros));
      if (expiring > 0) {
        ledger.apply(
          `expire_${account.period}`,
          "expiry",
          -expiring,
          account.period,
          "unused included credits",
        );
      } else {
        ledger.account = { ...ledger.account, includedRemainingMicros: 0 };
      }
    }
    const plan = catalog.plans[account.planId] ?? planOf(catalog, "free");
    if (plan.includedCreditsMicros > 0) {
      ledger.apply(
        `grant_period_${period}`,
        "grant",
        plan.includedCreditsMicros,
        period,
        `${plan.name} plan: included credits for ${period}`,
        { included: true },
      );
    }
    ledger.account = { ...ledger.account, period, updatedAt: now };
  }
  if (ledger.account.status === "past_due" && ledger.account.graceUntil && ledger.account.graceUntil <= now) {
    ledger.account = { ...ledger.account, status: "restricted", updatedAt: now };
  }
  return ledger;
}

export async function readAccount(tx: Pick<Transaction, "get">, tenantId: string): Promise<Account | null> {
  const snap = await tx.get(accountPath(tenantId));
  return snap ? accountSchema.parse(snap.data) : null;
}

/** Writes the ledger's new entries and the account (in the caller's transaction, after its reads). */
export function commitLedger(tx: Transaction, tenantId: string, ledger: Ledger): void {
  for (const { id, entry } of ledger.entries) tx.create(creditEntryPath(tenantId, id), entry);
  tx.set(accountPath(tenantId), ledger.account);
}

/** The account as it stands now (rolled into the current period), written if that changed anything. */
export async function loadAccount(deps: Deps, tenantId: string): Promise<Account> {
  const now = deps.clock.nowIso();
  const catalog = await catalogAt(deps, now);
  return deps.store.runTransaction(async (tx) => {
    const stored = await readAccount(tx, tenantId);
    const ledger = accountAsOf(stored, now, catalog);
    if (!stored || ledger.account !== stored) commitLedger(tx, tenantId, ledger);
    return ledger.account;
  });
}

/**
 * Adds one entry (a grant, top-up, refund or adjustment) under `id`. An id already in the ledger adds
 * nothing and answers `false`: the cause was applied before.
 */
export async function addCredits(
  deps: Deps,
  tenantId: string,
  input: {
    id: string;
    kind: Exclude<CreditKind, "consumption" | "expiry">;
    amountMicros: number;
    ref: string;
    note?: string;
  },
): Promise<{ applied: boolean; account: Account }> {
  const now = deps.clock.nowIso();
  const catalog = await catalogAt(deps, now);
  return deps.store.runTransaction(async (tx) => {
    const existing = await tx.get(creditEntryPath(tenantId, input.id));
    const stored = await readAccount(tx, tenantId);
    const ledger = accountAsOf(stored, now, catalog);
    if (existing) {
      if (ledger.entries.length > 0) commitLedger(tx, tenantId, ledger);
      return { applied: false, account: ledger.account };
    }
    ledger.apply(input.id, input.kind, input.amountMicros, input.ref, input.note ?? "");
    commitLedger(tx, tenantId, ledger);
    return { applied: true, account: ledger.account };
  });
}

/**
 * Moves the workspace to `planId` now (an operator's decision, or a Stripe subscription). Limits change at
 * once; an upgrade mid-period grants the difference of included credits for the rest of it (once per plan
 * and period), a downgrade keeps what was granted.
 */
export function switchPlan(ledger: Ledger, planId: string, catalog: Catalog, alreadyGranted: boolean): void {
  const from = catalog.plans[ledger.account.planId];
  const to = planOf(catalog, planId);
  if (ledger.account.planId === planId) return;
  const extra = to.includedCreditsMicros - (from?.includedCreditsMicros ?? 0);
  ledger.account = { ...ledger.account, planId };
  const period = ledger.account.period;
  if (extra > 0 && period && !alreadyGranted) {
    ledger.apply(
      `grant_plan_${planId}_${period}`,
      "grant",
      extra,
      period,
      `${to.name} plan: included credits for ${period}`,
      { included: true },
    );
  }
}

/** Whether moving to `planId` already granted its included credits this period (in the transaction, before writes). */
export async function planGranted(
  tx: Pick<Transaction, "get">,
  tenantId: string,
  planId: string,
  now: string,
): Promise<boolean> {
  return (await tx.get(creditEntryPath(tenantId, `grant_plan_${planId}_${periodOf(now)}`))) !== null;
}

/** The operator's plan change (the `billing` command, the admin console). */
export async function changePlan(deps: Deps, tenantId: string, planId: string): Promise<Account> {
  const now = deps.clock.nowIso();
  const catalog = await catalogAt(deps, now);
  planOf(catalog, planId);
  return deps.store.runTransaction(async (tx) => {
    const granted = await planGranted(tx, tenantId, planId, now);
    const ledger = accountAsOf(await readAccount(tx, tenantId), now, catalog);
    switchPlan(ledger, planId, catalog, granted);
    commitLedger(tx, tenantId, ledger);
    return ledger.account;
  });
}
