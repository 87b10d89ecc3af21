/**
 * Monthly availability per agent and for the API, from the minutes the monitor classified (buckets.ts,
 * `classifyInto`): a minute fails for a target when a probe of it failed then, or when at least 5% of its
 * requests (API) or turns (agent) failed on the server's side; a minute with neither traffic nor a probe is
 * unobserved and counts neither way. Availability = good observed minutes / observed minutes; the error
 * budget is (1 - target) of the observed minutes.
 */
import { z } from "zod";
import { listAgents } from "../agents/agents.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { floorTo } from "../platform/metrics/schema.js";
import { readUnits, slaFailureShare } from "./buckets.js";
import { platformScope } from "./schema.js";

export const slaQuerySchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month must be YYYY-MM")
    .optional(),
  target: z.coerce.number().min(50).max(99.999).default(99.9),
  format: z.enum(["json", "csv"]).default("json"),
});

export const slaDefinition =
  `A minute fails for a target when a synthetic probe of it failed in that minute, or when at least ` +
  `${slaFailureShare * 100}% of that minute's requests (the API) or turns (an agent) failed on the server's side. ` +
  `Minutes with neither traffic nor a probe are unobserved and count neither way. Availability is the share of ` +
  `observed minutes that did not fail; the error budget is (100% - target) of the observed minutes.`;

export const slaTargetSchema = z.object({
  target: z.string(),
  name: z.string(),
  observedMinutes: z.number().int(),
  failedMinutes: z.number().int(),
  unobservedMinutes: z.number().int(),
  availability: z.number().nullable(),
  errorBudgetMinutes: z.number(),
  errorBudgetRemainingMinutes: z.number(),
  met: z.boolean().nullable(),
});

export const slaReportSchema = z.object({
  month: z.string(),
  from: z.string(),
  to: z.string(),
  targetPercent: z.number(),
  definition: z.string(),
  targets: z.array(slaTargetSchema),
});
export type SlaReport = z.infer<typeof slaReportSchema>;

export async function slaReport(
  deps: Deps,
  scope: string,
  query: { month?: string | undefined; target: number },
): Promise<SlaReport> {
  const now = deps.clock.now();
  const month = query.month ?? now.toISOString().slice(0, 7);
  const from = new Date(`${month}-01T00:00:00.000Z`);
  const next = new Date(from);
  next.setUTCMonth(next.getUTCMonth() + 1);
  const to = new Date(Math.min(next.getTime(), floorTo(now, "minute").getTime()));
  if (to <= from) throw new AppError("invalid-argument", `${month} has not started yet`);
  const units = await readUnits(deps, scope, "day", from, to);
  const totals = new Map<string, { observed: number; failed: number }>([["api", { observed: 0, failed: 0 }]]);
  for (const unit of units) {
    for (const [target, v] of unit.sla) {
      const t = totals.get(target) ?? { observed: 0, failed: 0 };
      t.observed += v.observed;
      t.failed += v.failed;
      totals.set(target, t);
    }
  }
  const names = new Map<string, string>();
  if (scope !== platformScope) {
    for (const a of await listAgents(deps, scope)) names.set(`agent:${a.id}`, a.name);
  }
  const minutes = Math.round((to.getTime() - from.getTime()) / 60_000);
  const share = 1 - query.target / 100;
  const targets = [...totals]
    .filter(([target]) => scope === platformScope || target === "api" || names.has(target))
    .map(([target, t]) => {
      // Cut to hundredths after rounding off float noise (1 - 0.999 is 0.000999...9: 320 minutes gave 0.31).
      const budget = Math.floor(Math.round(share * t.observed * 1e8) / 1e6) / 100;
      const availability = t.observed === 0 ? null : (t.observed - t.failed) / t.observed;
      return {
        target,
        name: target === "api" ? "API" : (names.get(target) ?? target),
        observedMinutes: t.observed,
        failedMinutes: t.failed,
        unobservedMinutes: Math.max(0, minutes - t.observed),
        availability,
        errorBudgetMinutes: budget,
        errorBudgetRemainingMinutes: Math.round((budget - t.failed) * 100) / 100,
        met: availability === null ? null : availability * 100 >= query.target,
      };
    })
    .sort((a, b) => (a.target === "api" ? -1 : b.target === "api" ? 1 : a.name.localeCompare(b.name)));
  return {
    month,
    from: from.toISOString(),
    to: to.toISOString(),
    targetPercent: query.target,
    definition: slaDefinition,
    targets,
  };
}

/** A CSV cell: quoted, and a leading formula character neutralized (spreadsheets would run it). */
function cell(value: string | number | boolean | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) || typeof value === "string" ? `"${text.replace(/"/g, '""')}"` : text;
}

export function slaCsv(report: SlaReport): string {
  const header = [
    "month",
    "target",
    "name",
    "observed_minutes",
    "failed_minutes",
    "unobserved_minutes",
    "availability_percent",
    "target_percent",
    "error_budget_minutes",
    "error_budget_remaining_minutes",
    "met",
  ];
  const rows = report.targets.map((t) =>
    [
      report.month,
      t.target,
      t.name,
      t.observedMinutes,
      t.failedMinutes,
      t.unobservedMinutes,
      t.availability === null ? null : Math.round(t.availability * 1e6) / 1e4,
      report.targetPercent,
      t.errorBudgetMinutes,
      t.errorBudgetRemainingMinutes,
      t.met,
    ]
      .map(cell)
      .join(","),
  );
  return [header.join(","), ...rows].join("\r\n") + "\r\n";
}
