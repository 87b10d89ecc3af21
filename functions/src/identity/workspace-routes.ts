/**
 * The caller's workspace as its members see it (`GET /v1/workspace`: its standing with the operator, so the
 * studio can say it is suspended or hide a feature that is off), and its environments.
 */
import { z } from "zod";
import { auditActor, recordAudit } from "../platform/audit.js";
import { tenantPath, type Caller } from "../platform/caller.js";
import { standing as billingStanding } from "../billing/limits.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { route, type Route } from "../platform/http/router.js";
import { apiKeySchema, apiKeysPath } from "./api-keys.js";
import { environmentSchema, environmentsSchema, type Environment } from "./environments.js";
import { featureFlagNames, forgetStanding, standingOf, tenantSchema, workspaceStanding } from "./tenants.js";

export const workspaceViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  plan: z.string(),
  status: z.enum(["active", "suspended"]),
  suspension: z.object({ reason: z.string(), at: z.string() }).nullable(),
  features: z.record(z.string(), z.boolean()),
  security: z.object({ mfaRequired: z.boolean() }),
  environments: z.array(environmentSchema),
  /** Whether the caller is a platform operator (the studio then shows the Admin console). */
  operator: z.boolean(),
});

async function workspaceView(deps: Deps, caller: Caller): Promise<z.infer<typeof workspaceViewSchema>> {
  const { tenantId } = caller;
  const [snap, billing] = await Promise.all([
    deps.store.get(tenantPath(tenantId)),
    billingStanding(deps, tenantId),
  ]);
  const parsed = tenantSchema.safeParse(snap?.data);
  if (!snap || !parsed.success) throw new AppError("not-found", `Workspace ${tenantId} not found`);
  const tenant = parsed.data;
  const standing = standingOf(tenant);
  return {
    id: tenantId,
    name: tenant.name,
    // The plan in force is billing's (the tenant document keeps the plan it was created on).
    plan: billing.planId,
    status: tenant.status,
    suspension: standing.suspension
      ? { reason: standing.suspension.reason, at: standing.suspension.at }
      : null,
    features: Object.fromEntries(featureFlagNames.map((f) => [f, !standing.featuresOff.includes(f)])),
    security: { mfaRequired: tenant.security.mfaRequired },
    environments: [...standing.environments],
    operator: caller.platformAdmin === true,
  };
}

/**
 * Replaces the workspace's environments. An environment an API key is still bound to cannot be removed (the
 * key would silently answer from elsewhere): the refusal names the keys.
 */
export async function setEnvironments(
  deps: Deps,
  tenantId: string,
  environments: readonly Environment[],
  actor: string,
): Promise<Environment[]> {
  const keys = await deps.store.query({ collection: apiKeysPath(tenantId) });
  const names = new Set(environments.map((e) => e.name));
  const stranded = keys.flatMap((k) => {
    const key = apiKeySchema.safeParse(k.data);
    if (!key.success || key.data.revokedAt) return [];
    const env = key.data.environment;
    return names.has(env) ? [] : [`${key.data.name} (${k.id}) in ${env}`];
  });
  if (stranded.length > 0) {
    throw new AppError(
      "failed-precondition",
      `API keys are bound to an environment this list removes: ${stranded.slice(0, 10).join(", ")}. ` +
        "Revoke them or keep the environment",
    );
  }
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(tenantPath(tenantId));
    const parsed = tenantSchema.safeParse(snap?.data);
    if (!snap || !parsed.success) throw new AppError("not-found", `Workspace ${tenantId} not found`);
    const before = standingOf(parsed.data).environments;
    tx.update(tenantPath(tenantId), { environments });
    await recordAudit(
      deps,
      {
        tenantId,
        actor,
        action: "tenant.environments",
        target: { type: "tenant", id: tenantId },
        before: before.map((e) => e.name),
        after: environments.map((e) => e.name),
      },
      tx,
    );
  });
  forgetStanding(tenantId);
  return [...environments];
}

export const workspaceRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/workspace",
    summary:
      "The caller's workspace: name, plan, whether the platform operator suspended it (and why), which features " +
      "are on, the two-step sign-in policy and its environments",
    tag: "Workspace",
    permission: "workspace.read",
    response: workspaceViewSchema,
    handle: ({ deps, caller }) => workspaceView(deps, caller),
  }),
  route({
    method: "GET",
    path: "/v1/environments",
    summary: "The workspace's environments, in promotion order (production last)",
    tag: "Workspace",
    permission: "workspace.read",
    response: z.object({ environments: z.array(environmentSchema) }),
    handle: async ({ deps, caller }) => ({
      environments: (await workspaceStanding(deps, caller.tenantId)).environments,
    }),
  }),
  route({
    method: "PUT",
    path: "/v1/environments",
    summary: "Replace the workspace's environments (2-6, production last); one an API key is bound to stays",
    tag: "Workspace",
    permission: "settings.manage",
    body: { kind: "json", schema: z.object({ environments: environmentsSchema }).strict() },
    response: z.object({ environments: z.array(environmentSchema) }),
    handle: async ({ deps, caller, body }) => ({
      environments: await setEnvironments(deps, caller.tenantId, body.environments, auditActor(caller)),
    }),
  }),
];
