/**
 * Billing notices: what the workspace's admins are told about limits and payments, once per period each
 * (the notice's id names the kind, the limit and the period, so writing it again changes nothing). The
 * studio's billing page lists them; the Monitor's alert channels will deliver them.
 */
import type { Deps } from "../platform/deps.js";
import { log } from "../platform/log.js";
import { tenantPath } from "../platform/caller.js";
import { limitLabels, type Counters, type LimitName, type Notice, type Plan } from "./schema.js";

export const noticePath = (tenantId: string, id: string): string =>
  `${tenantPath(tenantId)}/billingNotices/${id}`;

export interface NoticeWrite {
  readonly id: string;
  readonly notice: Notice;
}

/** A count for people: 5,000,000 reads "5,000,000". */
export const formatCount = (n: number): string => n.toLocaleString("en-US");

/** What a rolled-up limit measures. */
const measured: Partial<Record<LimitName, { period: "daily" | "monthly"; of: (c: Counters) => number }>> = {
  tokensPerMonth: { period: "monthly", of: (c) => c.inputTokens + c.outputTokens },
  conversationsPerDay: { period: "daily", of: (c) => c.conversations },
};

/** The notices an event's counters crossing 80% or 100% of the plan's limits (or the credits running out) call for. */
export function crossedThresholds(input: {
  plan: Plan | undefined;
  before: { daily: Counters & { period: string }; monthly: Counters & { period: string } };
  after: { daily: Counters & { period: string }; monthly: Counters & { period: string } };
  balanceBefore: number;
  balanceAfter: number;
  at: string;
}): NoticeWrite[] {
  const out: NoticeWrite[] = [];
  for (const [name, m] of Object.entries(measured) as [
    LimitName,
    NonNullable<(typeof measured)[LimitName]>,
  ][]) {
    const limit = input.plan?.limits[name];
    if (!limit || limit.value <= 0) continue;
    const was = m.of(input.before[m.period]);
    const is = m.of(input.after[m.period]);
    const period = input.after[m.period].period;
    for (const [share, kind] of [
      [0.8, "limit-80"],
      [1, "limit-100"],
    ] as const) {
      const threshold = Math.ceil(limit.value * share);
      if (was < threshold && is >= threshold) {
        out.push({
          id: `${kind}_${name}_${period}`,
          notice: {
            kind,
            limit: name,
            period,
            at: input.at,
            message:
              `This workspace has used ${formatCount(is)} of its ${formatCount(limit.value)} ${limitLabels[name]} (${Math.round(share * 100)}%)` +
              (limit.hard && share === 1 ? "; further use is refused until the limit resets." : "."),
          },
        });
      }
    }
  }
  if (input.balanceBefore > 0 && input.balanceAfter <= 0) {
    const period = input.at.slice(0, 7);
    out.push({
      id: `credits-exhausted_${period}_${input.at.slice(0, 10)}`,
      notice: {
        kind: "credits-exhausted",
        limit: null,
        period,
        at: input.at,
        message: `This workspace's credits ran out (balance ${formatCount(input.balanceAfter)} micros).`,
      },
    });
  }
  return out;
}

/** Leaves a notice once: a second one with the same id changes nothing. Never fails the caller. */
export async function leaveNotice(deps: Deps, tenantId: string, id: string, notice: Notice): Promise<void> {
  await deps.store.create(noticePath(tenantId, id), notice).catch((e: unknown) => {
    if ((e as { code?: string }).code !== "already-exists")
      log.warn("could not leave a billing notice", { err: e, id });
  });
}
