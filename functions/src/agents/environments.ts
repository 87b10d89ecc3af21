/**
 * What each of the workspace's environments serves of an agent: production serves `publishedVersion`, every
 * other environment the version kept in the agent's `environments` map. Every change of what an environment
 * serves (a publish, a promotion, a rollback) is a release, kept under the agent (`releases`), which is both
 * the promotion history the studio shows and what a rollback goes back along.
 */
import { productionEnvironment } from "../identity/environments.js";
import type { Deps } from "../platform/deps.js";
import type { Transaction } from "../platform/ports.js";
import { releasesPath, releaseSchema, type Agent, type Release, type VersionSelector } from "./schema.js";

/** The version a selector serves now: `null` when it names an environment that serves nothing yet. */
export function servedVersion(
  agent: Pick<Agent, "publishedVersion" | "environments">,
  selector: VersionSelector,
): number | null {
  if (selector === "draft") return null;
  if (selector === "published") return agent.publishedVersion;
  if (typeof selector === "number") return selector;
  return versionIn(agent, selector.environment);
}

export function versionIn(
  agent: Pick<Agent, "publishedVersion" | "environments">,
  environment: string,
): number | null {
  return environment === productionEnvironment
    ? agent.publishedVersion
    : (agent.environments[environment]?.version ?? null);
}

/** The selector a conversation started in an environment gets (production's is `published`). */
export const selectorIn = (environment: string): VersionSelector =>
  environment === productionEnvironment ? "published" : { environment };

/** The agent patch that makes `environment` (not production) serve `version`. */
export function servingIn(
  agent: Pick<Agent, "environments">,
  environment: string,
  version: number,
  now: string,
  by: string,
): Pick<Agent, "environments"> {
  return {
    environments: { ...agent.environments, [environment]: { version, updatedAt: now, updatedBy: by } },
  };
}

/** Adds a release to the agent's history in `tx` (after the transaction's reads). */
export function writeRelease(
  deps: Deps,
  tx: Transaction,
  tenantId: string,
  agentId: string,
  agent: Pick<Agent, "publishedVersion" | "environments">,
  release: Pick<Release, "environment" | "version" | "action" | "note"> & { readonly from?: string | null },
  now: string,
  by: string,
): void {
  const record: Release = releaseSchema.parse({
    ...release,
    from: release.from ?? null,
    previousVersion: versionIn(agent, release.environment),
    at: now,
    by,
  });
  tx.create(`${releasesPath(tenantId, agentId)}/${deps.ids.newId()}`, record);
}
