/**
 * Environments and the workspace's profile over the platform's REST API (both modes: Firestore rules give
 * no client a read of them; see environments.ts for the interface): the requests, and the reading of their
 * answers, checked at the edge.
 */
import {
  environmentActions,
  type AgentEnvironment,
  type AgentEnvironments,
  type Environment,
  type EnvironmentChange,
  type EnvironmentsSource,
  type WorkspaceProfile,
} from "../environments";
import { isRecord } from "../platform";
import { requestAsSignedIn } from "../session";
import {
  field,
  isBoolean,
  isCount,
  isInstant,
  isNullableInstant,
  isNullableString,
  isOneOf,
  isString,
  list,
  nested,
  optional,
  parseWith,
  record,
  ShapeError,
  within,
} from "./shape";

export const workspaceProfilePath = "/v1/workspace";
export const environmentsPath = "/v1/environments";

export const agentEnvironmentsPath = (
  agentId: string,
  environment?: string,
  action?: "promote" | "rollback",
) =>
  `/v1/agents/${encodeURIComponent(agentId)}/environments${
    environment === undefined ? "" : `/${encodeURIComponent(environment)}/${action ?? ""}`
  }`;

async function changeAgentEnvironment(
  agentId: string,
  environment: string,
  action: "promote" | "rollback",
  body: Record<string, unknown>,
): Promise<AgentEnvironments> {
  const path = agentEnvironmentsPath(agentId, environment, action);
  const answer = await requestAsSignedIn(path, { method: "POST", body });
  return parseWith(() => parseAgentEnvironments(answer), `POST ${path}`, path, "an agent's environments");
}

export const restEnvironments: EnvironmentsSource = {
  async getWorkspaceProfile(signal) {
    const body = await requestAsSignedIn(workspaceProfilePath, { signal });
    return parseWith(
      () => parseWorkspaceProfile(body),
      `GET ${workspaceProfilePath}`,
      workspaceProfilePath,
      "a workspace",
    );
  },
  async listEnvironments(signal) {
    const body = await requestAsSignedIn(environmentsPath, { signal });
    return parseWith(
      () => parseEnvironmentList(list(body, "environments")),
      `GET ${environmentsPath}`,
      environmentsPath,
      "a list of environments",
    );
  },
  async getAgentEnvironments(agentId, signal) {
    const path = agentEnvironmentsPath(agentId);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseAgentEnvironments(body), `GET ${path}`, path, "an agent's environments");
  },
  promoteAgentVersion: (agentId, environment, request = {}) =>
    changeAgentEnvironment(agentId, environment, "promote", {
      ...(request.from === undefined ? {} : { from: request.from }),
      ...(request.version === undefined ? {} : { version: request.version }),
    }),
  rollbackAgentEnvironment: (agentId, environment, version) =>
    changeAgentEnvironment(agentId, environment, "rollback", version === undefined ? {} : { version }),
};

// ----- parsing ----------------------------------------------------------------------------------------

const isVersion = (v: unknown): v is number => isCount(v) && v > 0;
const isNullableVersion = (v: unknown): v is number | null => v === null || isVersion(v);

function parseEnvironment(value: unknown): Environment {
  const e = record(value, "environment");
  return { name: field(e, "name", isString), label: field(e, "label", isString) };
}

/** In promotion order; a name twice would make "the next environment" ambiguous. */
function parseEnvironmentList(values: unknown[]): Environment[] {
  const environments = values.map((v, i) => within(`environments[${i}]`, () => parseEnvironment(v)));
  if (new Set(environments.map((e) => e.name)).size !== environments.length)
    throw new ShapeError("environments (a name twice)");
  return environments;
}

function parseAgentEnvironment(value: unknown): AgentEnvironment {
  const e = record(value, "environment");
  return {
    ...parseEnvironment(e),
    version: field(e, "version", isNullableVersion),
    updatedAt: optional(e, "updatedAt", isNullableInstant, null),
    updatedBy: optional(e, "updatedBy", isNullableString, null),
  };
}

function parseEnvironmentChange(value: unknown): EnvironmentChange {
  const c = record(value, "change");
  return {
    id: field(c, "id", isString),
    environment: field(c, "environment", isString),
    version: field(c, "version", isVersion),
    previousVersion: optional(c, "previousVersion", isNullableVersion, null),
    action: field(c, "action", isOneOf(environmentActions)),
    from: optional(c, "from", isNullableString, null),
    at: field(c, "at", isInstant),
    by: field(c, "by", isString),
    note: optional(c, "note", isString, ""),
  };
}

export function parseAgentEnvironments(body: unknown): AgentEnvironments {
  const b = record(body, "body");
  const environments = field(b, "environments", Array.isArray).map((v, i) =>
    within(`environments[${i}]`, () => parseAgentEnvironment(v)),
  );
  parseEnvironmentList(environments);
  return {
    environments,
    history: field(b, "history", Array.isArray).map((v, i) =>
      within(`history[${i}]`, () => parseEnvironmentChange(v)),
    ),
  };
}

export function parseWorkspaceProfile(body: unknown): WorkspaceProfile {
  const b = record(body, "body");
  const features = optional(b, "features", isRecord, {});
  const suspension = b.suspension;
  return {
    id: field(b, "id", isString),
    name: field(b, "name", isString),
    plan: field(b, "plan", isString),
    status: field(b, "status", isOneOf(["active", "suspended"] as const)),
    suspension:
      suspension === null || suspension === undefined
        ? null
        : nested(b, "suspension", (s) => ({
            reason: field(s, "reason", isString),
            at: field(s, "at", isInstant),
          })),
    features: within("features", () =>
      Object.fromEntries(Object.keys(features).map((name) => [name, field(features, name, isBoolean)])),
    ),
    security: {
      mfaRequired: optional(optional(b, "security", isRecord, {}), "mfaRequired", isBoolean, false),
    },
    environments: parseEnvironmentList(optional(b, "environments", Array.isArray, [])),
    operator: optional(b, "operator", isBoolean, false),
  };
}
