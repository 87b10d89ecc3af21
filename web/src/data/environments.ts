/**
 * Environments (development, staging, production by default, in promotion order) and which version of an
 * agent serves in each: promoting a version to the next environment, rolling one environment back, and the
 * history of both. Production's version is the agent's `publishedVersion`. API keys, widgets and WhatsApp
 * connections talk to one environment (production unless told otherwise).
 *
 * Also the workspace as its members see it (`GET /v1/workspace`): its status (a platform operator may
 * suspend it), its effective feature flags, its security policy and its environments.
 */

export interface Environment {
  /** What the API calls it: `staging`. */
  readonly name: string;
  /** What people call it: "Staging". */
  readonly label: string;
}

/** The environment keys, widgets and connections get when none is chosen. */
export const defaultEnvironment = "production";

/** The environments a workspace starts with, for forms while the platform's list loads or cannot be read. */
export const standardEnvironments: readonly Environment[] = [
  { name: "development", label: "Development" },
  { name: "staging", label: "Staging" },
  { name: "production", label: "Production" },
];

/** The label of an environment by its name; an unknown one keeps its name. */
export function environmentLabel(environments: readonly Environment[] | undefined, name: string): string {
  return (environments ?? standardEnvironments).find((e) => e.name === name)?.label ?? name;
}

/** One environment of an agent and the version serving there (`null`: none yet). */
export interface AgentEnvironment extends Environment {
  readonly version: number | null;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

export const environmentActions = ["publish", "promote", "rollback"] as const;
export type EnvironmentAction = (typeof environmentActions)[number];

/** One change of the version serving in an environment. */
export interface EnvironmentChange {
  readonly id: string;
  readonly environment: string;
  readonly version: number;
  readonly previousVersion: number | null;
  readonly action: EnvironmentAction;
  /** The environment a promotion came from. */
  readonly from: string | null;
  readonly at: string;
  readonly by: string;
  readonly note: string;
}

export interface AgentEnvironments {
  /** In promotion order; the last is production. */
  readonly environments: readonly AgentEnvironment[];
  /** Newest first, at most 100. */
  readonly history: readonly EnvironmentChange[];
}

export interface PromotionRequest {
  /** The environment to take the version from (default: the one before the target). */
  readonly from?: string;
  /** A published version to put there instead. */
  readonly version?: number;
}

/** The workspace's suspension, as its members are told. */
export interface WorkspaceSuspension {
  readonly reason: string;
  readonly at: string;
}

/** `GET /v1/workspace`. */
export interface WorkspaceProfile {
  readonly id: string;
  readonly name: string;
  readonly plan: string;
  readonly status: "active" | "suspended";
  readonly suspension: WorkspaceSuspension | null;
  /** Effective feature flags (`whatsapp`, `mcp`, `fineTuning`, `longTermMemory`, `openaiCompat`). */
  readonly features: Readonly<Record<string, boolean>>;
  readonly security: { readonly mfaRequired: boolean };
  readonly environments: readonly Environment[];
  /** The person is a platform operator (the shell then asks `/v1/admin/me` and shows Admin). */
  readonly operator: boolean;
}

/** The environments' part of the studio's source (see source.ts). */
export interface EnvironmentsSource {
  getWorkspaceProfile(signal: AbortSignal): Promise<WorkspaceProfile>;
  /** In promotion order. */
  listEnvironments(signal: AbortSignal): Promise<Environment[]>;
  getAgentEnvironments(agentId: string, signal: AbortSignal): Promise<AgentEnvironments>;
  /** Puts a version in `environment`: by default the one serving in the environment before it. */
  promoteAgentVersion(
    agentId: string,
    environment: string,
    request?: PromotionRequest,
  ): Promise<AgentEnvironments>;
  /** Puts back the version that served in `environment` before the current one (or `version`). */
  rollbackAgentEnvironment(
    agentId: string,
    environment: string,
    version?: number,
  ): Promise<AgentEnvironments>;
}
