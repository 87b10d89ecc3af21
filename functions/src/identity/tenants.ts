/**
 * A tenant: the workspace every other record lives under (see `tenantPath`), and its standing with the
 * platform operator: whether it is suspended, which features are turned off, whether admins and owners must
 * sign in with a second factor, and its environments. Members read the standing (`GET /v1/workspace`); only
 * operators change it (admin/workspaces.ts).
 *
 *   tenants/{tenantId}   name, plan, createdAt, status, suspension, features, security, environments
 */
import { z } from "zod";
import { tenantPath, type Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { ttlCache } from "../platform/ttl-cache.js";
import { defaultEnvironments, environmentsSchema, type Environment } from "./environments.js";

// ----- features the operator can turn off per workspace ---------------------------------------------

/** Every feature flag, on unless the operator turns it off for a workspace. Each is enforced where it runs. */
export const featureFlags = {
  whatsapp: "WhatsApp Business numbers: connecting them, and answering their messages",
  mcp: "The MCP server endpoint (/mcp) and the MCP configurations of tool sets",
  fineTuning: "Fine-tuning jobs with the model provider (exports stay available)",
  longTermMemory: "Agents remembering end users across conversations",
  openaiCompat: "The OpenAI-compatible API (/v1/chat/completions and /v1/responses)",
} as const;
export type FeatureFlag = keyof typeof featureFlags;
export const featureFlagNames = Object.keys(featureFlags) as FeatureFlag[];
export const featureFlagSchema = z.enum(featureFlagNames as [FeatureFlag, ...FeatureFlag[]]);

// ----- the tenant document ------------------------------------------------------------------------

export const suspensionSchema = z.object({
  reason: z.string().min(1).max(500),
  at: z.string(),
  /** The operator who suspended it. */
  by: z.string(),
});
export type Suspension = z.infer<typeof suspensionSchema>;

export const tenantSchema = z.object({
  name: z.string().min(1).max(120),
  plan: z.string().default("free"),
  createdAt: z.string(),
  status: z.enum(["active", "suspended"]).default("active"),
  suspension: suspensionSchema.nullable().default(null),
  /** Only the features turned off (`false`); anything absent is on. */
  features: z.record(z.string(), z.boolean()).default({}),
  security: z.object({ mfaRequired: z.boolean().default(false) }).default({ mfaRequired: false }),
  /** Promotion order; production is last. Absent: development, staging, production. */
  environments: environmentsSchema.optional(),
});
export type Tenant = z.infer<typeof tenantSchema>;

/** The workspace's name (its id when the tenant document is missing). */
export async function tenantName(deps: Deps, tenantId: string): Promise<string> {
  const snap = await deps.store.get(tenantPath(tenantId));
  const parsed = tenantSchema.safeParse(snap?.data);
  return parsed.success ? parsed.data.name : tenantId;
}

export async function createTenant(deps: Deps, tenantId: string, name: string): Promise<void> {
  await deps.store.create(tenantPath(tenantId), tenantSchema.parse({ name, createdAt: deps.clock.nowIso() }));
}

// ----- the standing, as every request sees it -----------------------------------------------------

/** What the platform operator decided about a workspace, as requests and turns check it. */
export interface Standing {
  readonly suspension: Suspension | null;
  readonly featuresOff: readonly FeatureFlag[];
  readonly mfaRequired: boolean;
  readonly environments: readonly Environment[];
}

const openStanding: Standing = {
  suspension: null,
  featuresOff: [],
  mfaRequired: false,
  environments: defaultEnvironments,
};

export function standingOf(tenant: Tenant): Standing {
  return {
    suspension: tenant.status === "suspended" ? tenant.suspension : null,
    featuresOff: featureFlagNames.filter((f) => tenant.features[f] === false),
    mfaRequired: tenant.security.mfaRequired,
    environments: tenant.environments ?? defaultEnvironments,
  };
}

/**
 * Each instance reads a workspace's standing at most every 10 s: an operator's change applies at once on the
 * instance that made it (`forgetStanding`) and within 10 s everywhere else.
 */
export const standingTtlMs = 10_000;
const standings = ttlCache<Standing>(standingTtlMs, 5000);

export function workspaceStanding(deps: Deps, tenantId: string): Promise<Standing> {
  return standings.get(tenantId, async () => {
    const snap = await deps.store.get(tenantPath(tenantId));
    const parsed = tenantSchema.safeParse(snap?.data);
    // A missing or unreadable tenant document restricts nothing here: authentication decides who exists.
    return parsed.success ? standingOf(parsed.data) : openStanding;
  });
}

export const forgetStanding = (tenantId: string): void => standings.forget(tenantId);

/**
 * Refuses an environment the workspace does not have (`code`: `not-found` when it names a path segment);
 * answers the workspace's environments in promotion order.
 */
export async function requireEnvironment(
  deps: Deps,
  tenantId: string,
  environment: string,
  code: "invalid-argument" | "not-found" = "invalid-argument",
): Promise<readonly Environment[]> {
  const { environments } = await workspaceStanding(deps, tenantId);
  if (!environments.some((e) => e.name === environment)) {
    throw new AppError(
      code,
      `Unknown environment "${environment}" (this workspace has ${environments.map((e) => e.name).join(", ")})`,
    );
  }
  return environments;
}

/** The refusal a suspended workspace's requests and channels get. */
export function suspendedError(tenantId: string, suspension: Suspension): AppError {
  return new AppError(
    "workspace-suspended",
    `Workspace ${tenantId} is suspended by the platform operator: ${suspension.reason}. ` +
      "Its data is kept; reads and exports still work. Contact the platform operator to resume it",
    { suspendedAt: suspension.at },
  );
}

/**
 * How a public channel (the widget, WhatsApp) tells its end user the workspace is suspended: without the
 * operator's reason, which is for the workspace's members. Null when `e` is not that refusal.
 */
export function endUserSuspension(e: unknown): AppError | null {
  if (!(e instanceof AppError) || e.code !== "workspace-suspended") return null;
  return new AppError(
    "workspace-suspended",
    "This service is temporarily unavailable. Please try again later.",
  );
}

export function featureOffError(feature: FeatureFlag): AppError {
  return new AppError(
    "feature-disabled",
    `This feature is turned off for this workspace by the platform operator: ${featureFlags[feature]}`,
    { feature },
  );
}

/** Refuses when the workspace is suspended (channels and turns check this; requests are checked by the router). */
export async function assertWorkspaceActive(deps: Deps, tenantId: string): Promise<void> {
  const { suspension } = await workspaceStanding(deps, tenantId);
  if (suspension) throw suspendedError(tenantId, suspension);
}

/** Refuses when the operator turned `feature` off for the workspace. */
export async function assertFeature(deps: Deps, tenantId: string, feature: FeatureFlag): Promise<void> {
  const { featuresOff } = await workspaceStanding(deps, tenantId);
  if (featuresOff.includes(feature)) throw featureOffError(feature);
}

export async function featureEnabled(deps: Deps, tenantId: string, feature: FeatureFlag): Promise<boolean> {
  return !(await workspaceStanding(deps, tenantId)).featuresOff.includes(feature);
}

/** The MFA policy's refusal, for an admin or owner signed in without a second factor. */
export function mfaRefusal(caller: Caller, standing: Standing): AppError | null {
  if (!standing.mfaRequired || caller.via === "api-key" || caller.mfa) return null;
  if (caller.role !== "admin" && caller.role !== "owner") return null;
  return new AppError(
    "mfa-required",
    "This workspace requires two-step sign-in for admins and owners: set it up under Account › Two-step sign-in, " +
      "then sign in again",
  );
}
