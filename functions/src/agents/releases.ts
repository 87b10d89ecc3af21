/**
 * Moving versions between environments: promote what one environment serves to the next (development →
 * staging → production), roll an environment back to what it served before, and show which version serves
 * where with the history. Production's version is the agent's `publishedVersion`, so promoting to production
 * is publishing without a new version, and experiments and every channel follow it as they always did.
 */
import { z } from "zod";
import { environmentNameSchema, productionEnvironment } from "../identity/environments.js";
import { requireEnvironment, workspaceStanding } from "../identity/tenants.js";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { changeAgent, getAgent } from "./agents.js";
import { selectorIn, servingIn, versionIn, writeRelease } from "./environments.js";
import { agentVersionPath, releasesPath, releaseSchema, type Agent, type VersionSelector } from "./schema.js";

export const maxReleasesShown = 100;

export const promoteInput = z
  .object({
    /** The environment whose version to promote; by default the one before the target in promotion order. */
    from: environmentNameSchema.optional(),
    /** Or a version number to serve (it must have been published). */
    version: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((b) => b.from === undefined || b.version === undefined, "give either from or version, not both");

export const environmentRollbackInput = z
  .object({
    /** The version to serve; by default the one the environment served before its current one. */
    version: z.number().int().min(1).optional(),
  })
  .strict();

export const agentEnvironmentsSchema = z.object({
  environments: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      version: z.number().nullable(),
      updatedAt: z.string().nullable(),
      updatedBy: z.string().nullable(),
    }),
  ),
  history: z.array(releaseSchema.extend({ id: z.string() })),
});
export type AgentEnvironments = z.infer<typeof agentEnvironmentsSchema>;

export async function agentEnvironments(
  deps: Deps,
  tenantId: string,
  agentId: string,
): Promise<AgentEnvironments> {
  const [agent, { environments }, snaps] = await Promise.all([
    getAgent(deps, tenantId, agentId),
    workspaceStanding(deps, tenantId),
    deps.store.query({
      collection: releasesPath(tenantId, agentId),
      orderBy: [{ field: "at", direction: "desc" }],
      limit: maxReleasesShown,
    }),
  ]);
  const history = snaps.flatMap((s) => {
    const parsed = releaseSchema.safeParse(s.data);
    return parsed.success ? [{ id: s.id, ...parsed.data }] : [];
  });
  return {
    environments: environments.map((e) => {
      const version = versionIn(agent, e.name);
      const latest = history.find((r) => r.environment === e.name);
      const kept = e.name === productionEnvironment ? null : agent.environments[e.name];
      return {
        name: e.name,
        label: e.label,
        version,
        updatedAt: kept?.updatedAt ?? latest?.at ?? null,
        updatedBy: kept?.updatedBy ?? latest?.by ?? null,
      };
    }),
    history,
  };
}

/** Makes `environment` serve `version` in one transaction with its release and audit entry. */
async function serve(
  deps: Deps,
  tenantId: string,
  agentId: string,
  environment: string,
  version: number,
  release: { action: "promote" | "rollback"; from: string | null },
  actor: string,
): Promise<void> {
  const action = release.action === "promote" ? "agent.promote" : "agent.environmentRollback";
  await changeAgent(deps, tenantId, agentId, { actor, action }, async (agent, now, tx) => {
    if (!(await tx.get(agentVersionPath(tenantId, agentId, version)))) {
      throw new AppError("not-found", `Agent ${agentId} has no version ${version}`);
    }
    if (versionIn(agent, environment) === version) {
      throw new AppError(
        "failed-precondition",
        `${environment} already serves version ${version} of agent ${agentId}`,
      );
    }
    writeRelease(
      deps,
      tx,
      tenantId,
      agentId,
      agent,
      { environment, version, note: "", ...release },
      now,
      actor,
    );
    if (environment !== productionEnvironment) return servingIn(agent, environment, version, now, actor);
    // Production: the published version. A never-published agent becomes published by its first promotion.
    const status: Agent["status"] = agent.status === "draft" ? "published" : agent.status;
    return { publishedVersion: version, status };
  });
}

export async function promote(
  deps: Deps,
  caller: Caller,
  agentId: string,
  environment: string,
  input: z.infer<typeof promoteInput>,
): Promise<AgentEnvironments> {
  const { tenantId } = caller;
  const environments = await requireEnvironment(deps, tenantId, environment, "not-found");
  const at = environments.findIndex((e) => e.name === environment);
  const agent = await getAgent(deps, tenantId, agentId);
  let version = input.version;
  let from: string | null = null;
  if (version === undefined) {
    from = input.from ?? environments[at - 1]?.name ?? null;
    if (from === null) {
      throw new AppError(
        "invalid-argument",
        `${environment} is the first environment: nothing comes before it to promote (publish to it, or name a version)`,
      );
    }
    if (from === environment)
      throw new AppError("invalid-argument", "An environment cannot be promoted to itself");
    if (!environments.some((e) => e.name === from)) {
      throw new AppError("invalid-argument", `Unknown environment "${from}"`);
    }
    const served = versionIn(agent, from);
    if (served === null) {
      throw new AppError(
        "failed-precondition",
        `${from} serves no version of agent ${agentId} yet: nothing to promote`,
      );
    }
    version = served;
  }
  await serve(deps, tenantId, agentId, environment, version, { action: "promote", from }, caller.uid);
  return agentEnvironments(deps, tenantId, agentId);
}

export async function rollbackEnvironment(
  deps: Deps,
  caller: Caller,
  agentId: string,
  environment: string,
  input: z.infer<typeof environmentRollbackInput>,
): Promise<AgentEnvironments> {
  const { tenantId } = caller;
  const view = await agentEnvironments(deps, tenantId, agentId);
  const current = view.environments.find((e) => e.name === environment);
  if (!current) throw new AppError("not-found", `Unknown environment "${environment}"`);
  let version = input.version;
  if (version === undefined) {
    // The newest release of this environment that served something other than what it serves now.
    const previous = view.history.find(
      (r) => r.environment === environment && r.previousVersion !== null && r.version === current.version,
    )?.previousVersion;
    if (previous === undefined || previous === null) {
      throw new AppError(
        "failed-precondition",
        `${environment} has no earlier version of agent ${agentId} to go back to: name a version`,
      );
    }
    version = previous;
  }
  await serve(deps, tenantId, agentId, environment, version, { action: "rollback", from: null }, caller.uid);
  return agentEnvironments(deps, tenantId, agentId);
}

/**
 * The version selector a conversation gets from its caller: an API key talks to its environment's versions
 * (production's unless it is bound to another), and may not name another environment; people in the studio
 * may pick any.
 */
export function selectorFor(caller: Caller, asked: VersionSelector | undefined): VersionSelector | undefined {
  if (caller.via !== "api-key") return asked;
  const environment = caller.environment ?? productionEnvironment;
  const named =
    asked === "published" ? productionEnvironment : typeof asked === "object" ? asked.environment : undefined;
  if (named !== undefined && named !== environment) {
    throw new AppError(
      "permission-denied",
      `This API key is bound to the ${environment} environment; it cannot talk to ${named}`,
    );
  }
  return asked === undefined || named !== undefined ? selectorIn(environment) : asked;
}
