/**
 * The platform operator's view of every workspace: list and search them with their plan, usage this period,
 * members, agents and standing; suspend and resume one; change its plan; grant credits; turn features off;
 * require two-step sign-in for its admins and owners. Every change is audited in the workspace's own log
 * (actor `operator:<uid>`), so its admins see what the operator did.
 *
 * Listing reads the tenant documents themselves (at most `maxScannedWorkspaces`, newest first) and filters in
 * memory: Firestore cannot search names by substring. Counts and usage are read for the page shown only.
 */
import { z } from "zod";
import { countAgents } from "../agents/agents.js";
import { catalogAt } from "../billing/catalog.js";
import { addCredits, changePlan, periodOf } from "../billing/ledger.js";
import { standing as billingStanding } from "../billing/limits.js";
import { rollupSchema, usageMonthlyPath } from "../billing/schema.js";
import { listMembers } from "../identity/members.js";
import { membersPath } from "../identity/schema.js";
import {
  featureFlagNames,
  featureFlags,
  featureFlagSchema,
  forgetStanding,
  tenantSchema,
  type Tenant,
} from "../identity/tenants.js";
import { recordAudit } from "../platform/audit.js";
import { tenantPath, type Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { everyMatch } from "../platform/paging.js";
import type { DocData } from "../platform/ports.js";

/** How many workspaces a listing looks through; an installation with more gets `truncated`. */
export const maxScannedWorkspaces = 5000;

export const workspaceQuerySchema = z
  .object({
    q: z.string().trim().max(120).optional(),
    status: z.enum(["active", "suspended"]).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    /** The `nextCursor` of the previous page: the last workspace's id. */
    cursor: z.string().regex(idPattern, "must be the nextCursor of a previous page").optional(),
  })
  .strict();

export const workspaceRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  plan: z.string(),
  planName: z.string(),
  status: z.enum(["active", "suspended"]),
  createdAt: z.string(),
  members: z.number(),
  agents: z.number(),
  usage: z.object({
    period: z.string(),
    conversations: z.number(),
    turns: z.number(),
    creditsUsedMicros: z.number(),
  }),
  balanceMicros: z.number(),
  currency: z.string(),
  flagsOff: z.array(z.string()),
  mfaRequired: z.boolean(),
});
export type WorkspaceRow = z.infer<typeof workspaceRowSchema>;

export const workspaceDetailSchema = workspaceRowSchema.extend({
  suspension: z.object({ reason: z.string(), at: z.string(), by: z.string() }).nullable(),
  flags: z.array(
    z.object({ name: z.string(), description: z.string(), enabled: z.boolean(), default: z.boolean() }),
  ),
  memberList: z.array(
    z.object({ id: z.string(), email: z.string(), role: z.string(), createdAt: z.string() }),
  ),
});
export type WorkspaceDetail = z.infer<typeof workspaceDetailSchema>;

interface TenantRecord {
  readonly id: string;
  readonly tenant: Tenant;
}

/** Every workspace the listing considers, newest first. */
async function scanTenants(deps: Deps): Promise<{ records: TenantRecord[]; truncated: boolean }> {
  const records: TenantRecord[] = [];
  let truncated = false;
  for await (const snap of everyMatch(deps.store, { collection: "tenants" }, 500)) {
    if (records.length >= maxScannedWorkspaces) {
      truncated = true;
      break;
    }
    const parsed = tenantSchema.safeParse(snap.data);
    if (parsed.success) records.push({ id: snap.id, tenant: parsed.data });
  }
  records.sort((a, b) => b.tenant.createdAt.localeCompare(a.tenant.createdAt) || a.id.localeCompare(b.id));
  return { records, truncated };
}

async function rowOf(deps: Deps, { id, tenant }: TenantRecord): Promise<WorkspaceRow> {
  const period = periodOf(deps.clock.nowIso());
  const [members, agents, monthly, billing] = await Promise.all([
    deps.store.count({ collection: membersPath(id) }),
    countAgents(deps, id),
    deps.store.get(usageMonthlyPath(id, period)),
    billingStanding(deps, id),
  ]);
  const usage = rollupSchema.safeParse(monthly?.data ?? { period });
  const counters = usage.success ? usage.data : rollupSchema.parse({ period });
  return {
    id,
    name: tenant.name,
    plan: billing.planId,
    planName: billing.plan.name,
    status: tenant.status,
    createdAt: tenant.createdAt,
    members,
    agents,
    usage: {
      period,
      conversations: counters.conversations,
      turns: counters.turns,
      creditsUsedMicros: counters.costMicros,
    },
    balanceMicros: billing.account.balanceMicros,
    currency: billing.currency,
    flagsOff: featureFlagNames.filter((f) => tenant.features[f] === false),
    mfaRequired: tenant.security.mfaRequired,
  };
}

export async function listWorkspaces(
  deps: Deps,
  query: z.infer<typeof workspaceQuerySchema>,
): Promise<{ workspaces: WorkspaceRow[]; nextCursor: string | null; truncated: boolean }> {
  const { records, truncated } = await scanTenants(deps);
  const q = query.q?.toLowerCase();
  const matching = records.filter(
    (r) =>
      (!query.status || r.tenant.status === query.status) &&
      (!q || r.id.toLowerCase().includes(q) || r.tenant.name.toLowerCase().includes(q)),
  );
  let start = 0;
  if (query.cursor !== undefined) {
    const at = matching.findIndex((r) => r.id === query.cursor);
    if (at < 0)
      throw new AppError("invalid-argument", `Unknown cursor "${query.cursor}": list from the start again`);
    start = at + 1;
  }
  const page = matching.slice(start, start + query.limit);
  const more = matching.length > start + query.limit;
  return {
    workspaces: await Promise.all(page.map((r) => rowOf(deps, r))),
    nextCursor: more ? (page.at(-1)?.id ?? null) : null,
    truncated,
  };
}

async function loadTenant(deps: Deps, tenantId: string): Promise<TenantRecord> {
  const snap = await deps.store.get(tenantPath(tenantId));
  const parsed = tenantSchema.safeParse(snap?.data);
  if (!snap || !parsed.success) throw new AppError("not-found", `Workspace ${tenantId} not found`);
  return { id: tenantId, tenant: parsed.data };
}

export async function getWorkspace(deps: Deps, tenantId: string): Promise<WorkspaceDetail> {
  const record = await loadTenant(deps, tenantId);
  const [row, members] = await Promise.all([rowOf(deps, record), listMembers(deps, tenantId)]);
  const { tenant } = record;
  return {
    ...row,
    suspension: tenant.status === "suspended" ? tenant.suspension : null,
    flags: featureFlagNames.map((name) => ({
      name,
      description: featureFlags[name],
      enabled: tenant.features[name] !== false,
      default: true,
    })),
    memberList: members.map((m) => ({ id: m.id, email: m.email, role: m.role, createdAt: m.createdAt })),
  };
}

/** The audit log's actor for an operator: never confused with a member of the workspace. */
export const operatorActor = (caller: Caller): string => `operator:${caller.uid}`;

/**
 * Changes the tenant document in a transaction with its audit entry, then forgets this instance's cached
 * standing so the change applies here at once (elsewhere within `standingTtlMs`).
 */
async function changeTenant(
  deps: Deps,
  caller: Caller,
  tenantId: string,
  action: string,
  change: (tenant: Tenant) => { update: DocData; before: unknown; after: unknown } | null,
): Promise<WorkspaceDetail> {
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(tenantPath(tenantId));
    const parsed = tenantSchema.safeParse(snap?.data);
    if (!snap || !parsed.success) throw new AppError("not-found", `Workspace ${tenantId} not found`);
    const decided = change(parsed.data);
    if (!decided) return; // already so: nothing to write or audit
    tx.update(tenantPath(tenantId), decided.update);
    await recordAudit(
      deps,
      {
        tenantId,
        actor: operatorActor(caller),
        action,
        target: { type: "tenant", id: tenantId },
        before: decided.before,
        after: decided.after,
      },
      tx,
    );
  });
  forgetStanding(tenantId);
  return getWorkspace(deps, tenantId);
}

export const suspendInputSchema = z
  .object({ reason: z.string().trim().min(1, "say why (the workspace's members see it)").max(500) })
  .strict();

export function suspendWorkspace(
  deps: Deps,
  caller: Caller,
  tenantId: string,
  reason: string,
): Promise<WorkspaceDetail> {
  return changeTenant(deps, caller, tenantId, "tenant.suspend", (tenant) => {
    if (tenant.status === "suspended" && tenant.suspension?.reason === reason) return null;
    const suspension = { reason, at: deps.clock.nowIso(), by: operatorActor(caller) };
    return {
      update: { status: "suspended", suspension },
      before: { status: tenant.status },
      after: { status: "suspended", reason },
    };
  });
}

export function resumeWorkspace(deps: Deps, caller: Caller, tenantId: string): Promise<WorkspaceDetail> {
  return changeTenant(deps, caller, tenantId, "tenant.resume", (tenant) =>
    tenant.status === "active"
      ? null
      : {
          update: { status: "active", suspension: null },
          before: { status: tenant.status, reason: tenant.suspension?.reason ?? null },
          after: { status: "active" },
        },
  );
}

export const flagsInputSchema = z
  .object({
    flags: z
      .record(z.string(), z.boolean())
      .refine((f) => Object.keys(f).length > 0, "name at least one flag")
      .superRefine((f, ctx) => {
        for (const name of Object.keys(f)) {
          if (!featureFlagSchema.safeParse(name).success) {
            ctx.addIssue({
              code: "custom",
              message: `unknown feature flag "${name.slice(0, 60)}" (known: ${featureFlagNames.join(", ")})`,
            });
          }
        }
      }),
  })
  .strict();

export function setFlags(
  deps: Deps,
  caller: Caller,
  tenantId: string,
  flags: Record<string, boolean>,
): Promise<WorkspaceDetail> {
  return changeTenant(deps, caller, tenantId, "tenant.features", (tenant) => {
    const next: Record<string, boolean> = { ...tenant.features };
    for (const [name, on] of Object.entries(flags)) {
      if (on) delete next[name];
      else next[name] = false;
    }
    if (JSON.stringify(next) === JSON.stringify(tenant.features)) return null;
    return { update: { features: next }, before: tenant.features, after: next };
  });
}

export const securityInputSchema = z.object({ mfaRequired: z.boolean() }).strict();

export function setSecurity(
  deps: Deps,
  caller: Caller,
  tenantId: string,
  input: z.infer<typeof securityInputSchema>,
): Promise<WorkspaceDetail> {
  return changeTenant(deps, caller, tenantId, "tenant.security", (tenant) =>
    tenant.security.mfaRequired === input.mfaRequired
      ? null
      : {
          update: { "security.mfaRequired": input.mfaRequired },
          before: tenant.security,
          after: input,
        },
  );
}

export const planInputSchema = z
  .object({ plan: z.string().regex(/^[a-z0-9-]{1,40}$/, "must be a plan id") })
  .strict();

export async function setPlan(
  deps: Deps,
  caller: Caller,
  tenantId: string,
  plan: string,
): Promise<WorkspaceDetail> {
  await loadTenant(deps, tenantId);
  const catalog = await catalogAt(deps, deps.clock.nowIso());
  if (!catalog.plans[plan]) {
    throw new AppError(
      "invalid-argument",
      `Unknown plan "${plan}" (plans: ${Object.keys(catalog.plans).join(", ")})`,
    );
  }
  const before = (await billingStanding(deps, tenantId)).planId;
  const account = await changePlan(deps, tenantId, plan);
  if (before !== account.planId) {
    await deps.store.update(tenantPath(tenantId), { plan: account.planId });
    await recordAudit(deps, {
      tenantId,
      actor: operatorActor(caller),
      action: "tenant.plan",
      target: { type: "tenant", id: tenantId },
      before: { plan: before },
      after: { plan: account.planId },
    });
  }
  return getWorkspace(deps, tenantId);
}

export async function listPlans(deps: Deps): Promise<{ plans: { id: string; name: string }[] }> {
  const catalog = await catalogAt(deps, deps.clock.nowIso());
  return { plans: Object.entries(catalog.plans).map(([id, p]) => ({ id, name: p.name })) };
}

/** "10", "2.5" in currency units to integer micros, without floating point; at most 1,000,000 units. */
export const creditAmountSchema = z
  .string()
  .trim()
  .regex(/^\d{1,7}(\.\d{1,6})?$/, 'must be an amount such as "10" or "2.50"')
  .transform((text) => {
    const [whole, fraction = ""] = text.split(".");
    return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0"));
  })
  .refine((micros) => micros > 0, "must be more than zero")
  .refine((micros) => micros <= 1_000_000 * 1_000_000, "must be at most 1,000,000");

export const creditsInputSchema = z
  .object({
    amount: creditAmountSchema,
    note: z.string().trim().max(200).default(""),
    /** The same id twice grants once: a retried or double-clicked grant. */
    requestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 letters, digits, - or _"),
  })
  .strict();

export async function grantCredits(
  deps: Deps,
  caller: Caller,
  tenantId: string,
  input: z.infer<typeof creditsInputSchema>,
): Promise<{ applied: boolean; balanceMicros: number; workspace: WorkspaceDetail }> {
  await loadTenant(deps, tenantId);
  const { applied, account } = await addCredits(deps, tenantId, {
    id: `op_${input.requestId}`,
    kind: "grant",
    amountMicros: input.amount,
    ref: operatorActor(caller),
    note: input.note,
  });
  if (applied) {
    await recordAudit(deps, {
      tenantId,
      actor: operatorActor(caller),
      action: "tenant.credits",
      target: { type: "tenant", id: tenantId },
      after: { amountMicros: input.amount, note: input.note },
    });
  }
  return { applied, balanceMicros: account.balanceMicros, workspace: await getWorkspace(deps, tenantId) };
}
