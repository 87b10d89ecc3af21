/**
 * Enforcement before the work: what a turn, an upload, a new conversation, agent or member would take is
 * checked against the workspace's plan, its credits and its payment status *before* any model, embedder or
 * tool is called. A refusal is an `AppError("payment-required")` (HTTP 402) whose message names the limit,
 * its value and when it resets, with the same facts in `details`; the workspace's admins get a notice once
 * per period.
 *
 * The services that own what is counted (conversations, documents, members, agents) count it and pass the
 * figure in; billing owns the plans and the refusal. Rolled-up figures (tokens this month, credits) lag the
 * work by the meter's delay, so concurrent work can overshoot a limit by what is in flight: the bound is
 * documented in the README (Billing → Enforcement).
 */
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { catalogAt } from "./catalog.js";
import { accountAsOf, dayEnd, dayOf, periodEnd, periodOf } from "./ledger.js";
import { formatCount, leaveNotice } from "./notices.js";
import {
  accountPath,
  accountSchema,
  limitLabels,
  rollupSchema,
  usageMonthlyPath,
  type Account,
  type LimitName,
  type Plan,
} from "./schema.js";

export interface LimitRefusal {
  readonly limit: LimitName | "credits" | "payment";
  readonly value: number | null;
  readonly used: number | null;
  /** When the figure resets (ISO-8601), or null when it does not by itself (stock limits, a failed payment). */
  readonly resetsAt: string | null;
  readonly plan: string;
}

/** Micros in the currency, for people: 5,000,000 micros of usd is "$5.00" (exact: integer micros to a decimal string). */
export function formatMoney(micros: number, currency: string): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / 1_000_000);
  // Cents at least, and as many more digits as the amount has (sub-cent prices are real): never a float.
  let digits = String(abs % 1_000_000)
    .padStart(6, "0")
    .replace(/0+$/, "");
  if (digits.length < 2) digits = digits.padEnd(2, "0");
  const symbol = currency.toLowerCase() === "usd" ? "$" : "";
  const code = symbol ? "" : ` ${currency.toUpperCase()}`;
  return `${sign}${symbol}${whole.toLocaleString("en-US")}.${digits}${code}`;
}

/** An instant for people: "2027-01-01 00:00 UTC". */
export const formatInstant = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function refuse(message: string, details: LimitRefusal): AppError {
  return new AppError("payment-required", message, { billing: details });
}

/** The refusal's facts, when `e` is one (channels word it for their end users). */
export function limitRefusalOf(e: unknown): LimitRefusal | null {
  if (!(e instanceof AppError) || e.code !== "payment-required") return null;
  const details = e.details as { billing?: LimitRefusal } | undefined;
  return details?.billing ?? null;
}

/** What the workspace's plan and account are now (without writing the period's rollover). */
export async function standing(deps: Deps, tenantId: string): Promise<Standing> {
  const now = deps.clock.nowIso();
  const [catalog, snap] = await Promise.all([catalogAt(deps, now), deps.store.get(accountPath(tenantId))]);
  const account = accountAsOf(snap ? accountSchema.parse(snap.data) : null, now, catalog).account;
  const plan = catalog.plans[account.planId] ?? catalog.plans.free;
  if (!plan) throw new AppError("internal", "The billing catalog has no free plan");
  return { account, plan, planId: account.planId, currency: catalog.currency };
}

export interface Standing {
  readonly account: Account;
  readonly plan: Plan;
  readonly planId: string;
  readonly currency: string;
}

async function refused(deps: Deps, tenantId: string, error: AppError, refusal: LimitRefusal): Promise<never> {
  const now = deps.clock.nowIso();
  const period = refusal.resetsAt && refusal.limit.endsWith("PerDay") ? dayOf(now) : periodOf(now);
  await leaveNotice(deps, tenantId, `limit-refused_${refusal.limit}_${period}`, {
    kind: "limit-refused",
    limit: refusal.limit,
    period,
    at: now,
    message: `Work was refused: ${error.message}`,
  });
  throw error;
}

/**
 * Refuses spending (a turn, a search, an upload) when the workspace is restricted for a failed payment, has
 * no credits left on a plan without overage, or has used its monthly tokens under a hard limit.
 */
export async function assertCanSpend(deps: Deps, tenantId: string): Promise<Standing> {
  const current = await standing(deps, tenantId);
  const { account, plan, planId, currency } = current;
  const now = deps.clock.nowIso();
  if (account.status === "restricted" || account.status === "canceled") {
    const refusal: LimitRefusal = { limit: "payment", value: null, used: null, resetsAt: null, plan: planId };
    const why =
      account.status === "restricted"
        ? `a payment failed and the grace period ended${account.graceUntil ? ` on ${account.graceUntil}` : ""}`
        : "its subscription was canceled";
    return refused(
      deps,
      tenantId,
      refuse(
        `This workspace cannot be used right now: ${why}. An owner can settle it under Billing.`,
        refusal,
      ),
      refusal,
    );
  }
  if (!plan.overage && account.balanceMicros <= 0) {
    const resetsAt = periodEnd(account.period);
    const refusal: LimitRefusal = {
      limit: "credits",
      value: plan.includedCreditsMicros,
      used: plan.includedCreditsMicros - account.balanceMicros,
      resetsAt,
      plan: planId,
    };
    return refused(
      deps,
      tenantId,
      refuse(
        `This workspace has no credits left (the ${plan.name} plan includes ${formatMoney(plan.includedCreditsMicros, currency)} a month); ` +
          `they renew at ${formatInstant(resetsAt)}. An owner can top up or upgrade under Billing.`,
        refusal,
      ),
      refusal,
    );
  }
  const tokens = plan.limits.tokensPerMonth;
  if (tokens?.hard) {
    const month = periodOf(now);
    const snap = await deps.store.get(usageMonthlyPath(tenantId, month));
    const rollup = rollupSchema.parse(snap?.data ?? { period: month });
    const used = rollup.inputTokens + rollup.outputTokens;
    if (used >= tokens.value) {
      await refuseLimit(deps, tenantId, "tokensPerMonth", tokens.value, used, periodEnd(month), planId, plan);
    }
  }
  return current;
}

async function refuseLimit(
  deps: Deps,
  tenantId: string,
  limit: LimitName,
  value: number,
  used: number,
  resetsAt: string | null,
  planId: string,
  plan: Plan,
  scope = "This workspace",
): Promise<never> {
  const refusal: LimitRefusal = { limit, value, used, resetsAt, plan: planId };
  const when = resetsAt
    ? `; it resets at ${formatInstant(resetsAt)}`
    : "; remove some or upgrade the plan to add more";
  return refused(
    deps,
    tenantId,
    refuse(
      `${scope} has reached its limit of ${formatCount(value)} ${limitLabels[limit]} (${plan.name} plan)${when}.`,
      refusal,
    ),
    refusal,
  );
}

/**
 * Refuses adding `adding` to a stock the plan caps (documents, stored bytes, members, agents) when `current`
 * plus it would pass a hard limit.
 */
export async function assertWithinLimit(
  deps: Deps,
  tenantId: string,
  limit: Extract<LimitName, "documents" | "storageBytes" | "members" | "agents">,
  current: number,
  adding = 1,
): Promise<void> {
  const { plan, planId } = await standing(deps, tenantId);
  const cap = plan.limits[limit];
  if (cap?.hard && current + adding > cap.value) {
    await refuseLimit(deps, tenantId, limit, cap.value, current, null, planId, plan);
  }
}

/** Per-agent quotas an agent's config may set (agents/schema.ts `quotas`). */
export interface AgentQuotas {
  readonly conversationsPerDay?: number | null;
  readonly conversationsPerEndUserPerDay?: number | null;
}

/**
 * Refuses a new conversation past the plan's conversations per day, or past the agent's own quotas (per day,
 * per end user per day: a public widget's "50 conversations per visitor a day"). `count` gives today's
 * conversations (UTC) of the workspace, of the agent, or of the agent with this end user.
 */
export async function assertCanStartConversation(
  deps: Deps,
  tenantId: string,
  input: {
    readonly agentQuotas: AgentQuotas | undefined;
    readonly endUserRef: string | null;
    readonly count: (scope: "workspace" | "agent" | "end-user", since: string) => Promise<number>;
  },
): Promise<void> {
  const { plan, planId } = await assertCanSpend(deps, tenantId);
  const now = deps.clock.nowIso();
  const today = dayOf(now);
  const since = `${today}T00:00:00.000Z`;
  const resetsAt = dayEnd(today);
  const perDay = plan.limits.conversationsPerDay;
  if (perDay?.hard) {
    const used = await input.count("workspace", since);
    if (used >= perDay.value) {
      await refuseLimit(deps, tenantId, "conversationsPerDay", perDay.value, used, resetsAt, planId, plan);
    }
  }
  const agentPerDay = input.agentQuotas?.conversationsPerDay;
  if (agentPerDay) {
    const used = await input.count("agent", since);
    if (used >= agentPerDay) {
      await refuseLimit(
        deps,
        tenantId,
        "conversationsPerDay",
        agentPerDay,
        used,
        resetsAt,
        planId,
        plan,
        "This agent",
      );
    }
  }
  if (input.endUserRef !== null) {
    const planPerUser = plan.limits.conversationsPerEndUserPerDay;
    const agentPerUser = input.agentQuotas?.conversationsPerEndUserPerDay ?? null;
    const caps = [planPerUser?.hard ? planPerUser.value : null, agentPerUser].filter((v): v is number => !!v);
    if (caps.length > 0) {
      const cap = Math.min(...caps);
      const used = await input.count("end-user", since);
      if (used >= cap) {
        await refuseLimit(
          deps,
          tenantId,
          "conversationsPerEndUserPerDay",
          cap,
          used,
          resetsAt,
          planId,
          plan,
          "This end user",
        );
      }
    }
  }
}

/**
 * How a public channel (the widget, WhatsApp) tells its end user about a refusal: politely, without the
 * workspace's plan or credits (its admins got a notice). Null when `e` is not a refusal.
 */
export function endUserRefusal(e: unknown): AppError | null {
  const refusal = limitRefusalOf(e);
  if (!refusal) return null;
  const message =
    refusal.limit === "conversationsPerEndUserPerDay" && refusal.resetsAt
      ? `You have reached today's limit of conversations with this assistant. Please come back after ${refusal.resetsAt.slice(11, 16)} UTC.`
      : "This assistant can't take more questions right now. Please try again later.";
  return new AppError("payment-required", message, {
    billing: { limit: refusal.limit, resetsAt: refusal.resetsAt },
  });
}
