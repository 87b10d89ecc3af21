/**
 * Agents and the playground over the platform's REST API, as the signed-in person: the requests, and the
 * reading of their answers (agents, versions, the options agents may be configured with, the knowledge
 * bases the builder can attach), checked at the edge so screens can trust every field. Firebase mode reads
 * agents from Firestore and runs the same parsers over the same bodies.
 */
import { unlistedAgentOptions, type AgentOptions, type TokenBounds } from "../agentOptions";
import {
  agentStatuses,
  defaultLongTermMemory,
  type Agent,
  type AgentConfig,
  type AgentsSource,
  type AgentStatus,
  type AgentTool,
  type AgentVersion,
  type PublishGate,
} from "../agents";
import type { KnowledgeBaseList, KnowledgeBaseSummary } from "../knowledgeBases";
import { isRecord, PlatformRequestError } from "../platform";
import { requestAsSignedIn } from "../session";
import { getTrace, startConversation, streamDecision, streamMessage } from "./conversations";
import { knowledgeBasesPath } from "./knowledge";
import {
  field,
  isBoolean,
  isNullableNumber,
  isNumber,
  isOneOf,
  isString,
  isStringArray,
  nested,
  optional,
  parseCreatedId,
  parseWith,
  record,
  ShapeError,
} from "./shape";

const agentPath = (agentId: string) => `/v1/agents/${encodeURIComponent(agentId)}`;

/** A change that answers with the agent as it now is: the draft's PATCH, or an action (`POST …/publish`). */
async function changeAgent(
  agentId: string,
  change: { readonly action?: "publish" | "rollback" | "pause" | "resume"; readonly body?: unknown },
): Promise<Agent> {
  const path = change.action ? `${agentPath(agentId)}/${change.action}` : agentPath(agentId);
  const method = change.action ? "POST" : "PATCH";
  const answer = await requestAsSignedIn(path, { method, body: change.body });
  return parseAgent(answer, `${method} ${path}`, path);
}

export const restAgents: AgentsSource = {
  async listAgents({ includeArchived }, signal) {
    const path = includeArchived ? "/v1/agents?includeArchived=true" : "/v1/agents";
    return parseAgentList(await requestAsSignedIn(path, { signal }), path);
  },
  async getAgent(agentId, signal) {
    const path = agentPath(agentId);
    return parseAgent(await requestAsSignedIn(path, { signal }), `GET ${path}`, path);
  },
  async listAgentVersions(agentId, signal) {
    const path = `${agentPath(agentId)}/versions`;
    return parseAgentVersions(await requestAsSignedIn(path, { signal }), path);
  },
  async listKnowledgeBases(signal) {
    try {
      return parseKnowledgeBaseList(await requestAsSignedIn(knowledgeBasesPath, { signal }));
    } catch (error) {
      if (
        error instanceof PlatformRequestError &&
        error.status !== undefined &&
        listingMissingStatuses.includes(error.status)
      ) {
        return { available: false };
      }
      throw error;
    }
  },

  async getAgentOptions(signal) {
    try {
      return parseAgentOptions(await requestAsSignedIn(agentOptionsPath, { signal }));
    } catch (error) {
      return agentOptionsOrUnlisted(error);
    }
  },

  async createAgent(input) {
    const answer = await requestAsSignedIn("/v1/agents", { method: "POST", body: input });
    return parseCreatedId(answer, "/v1/agents");
  },
  updateAgent: (agentId, patch) => changeAgent(agentId, { body: patch }),
  publishAgent: (agentId, note, environment) =>
    changeAgent(agentId, { action: "publish", body: { note, ...(environment ? { environment } : {}) } }),
  rollbackAgent: (agentId, version) => changeAgent(agentId, { action: "rollback", body: { version } }),
  pauseAgent: (agentId) => changeAgent(agentId, { action: "pause" }),
  resumeAgent: (agentId) => changeAgent(agentId, { action: "resume" }),
  async archiveAgent(agentId) {
    await requestAsSignedIn(agentPath(agentId), { method: "DELETE" });
  },
  async setPublishGate(agentId, gate) {
    const path = `${agentPath(agentId)}/publish-gate`;
    const body = await requestAsSignedIn(path, { method: "PUT", body: gate });
    return parseWith(
      () => nested(record(body, "body"), "publishGate", parsePublishGate),
      `PUT ${path}`,
      path,
      "a publish gate",
    );
  },
  async removePublishGate(agentId) {
    await requestAsSignedIn(`${agentPath(agentId)}/publish-gate`, { method: "DELETE" });
  },

  startConversation,
  sendMessage: (conversationId, content, onDelta) => streamMessage(conversationId, content, onDelta),
  decideConfirmation: (conversationId, confirmationId, decision, onDelta) =>
    streamDecision(conversationId, confirmationId, decision, onDelta),
  getTrace,
};

// ----- parsing --------------------------------------------------------------------------------------

const isStatus = (v: unknown): v is AgentStatus =>
  isString(v) && (agentStatuses as readonly string[]).includes(v);

function parseConfig(value: unknown): AgentConfig {
  const config = record(value, "config");
  const model = record(config.model, "model");
  const guardrails = record(config.guardrails, "guardrails");
  const tools = field(config, "tools", Array.isArray).map((tool): AgentTool => {
    const t = record(tool, "tools");
    const kind = field(t, "kind", isString);
    if (kind === "toolset") {
      return {
        ...t,
        kind,
        toolSetId: field(t, "toolSetId", isString),
        version: field(t, "version", isNumber),
      };
    }
    return { ...t, kind, name: field(t, "name", isString) };
  });
  return {
    name: field(config, "name", isString),
    description: field(config, "description", isString),
    instructions: field(config, "instructions", isString),
    model: {
      name: field(model, "name", (v): v is string | null => v === null || isString(v)),
      temperature: field(model, "temperature", isNumber),
      maxOutputTokens: field(model, "maxOutputTokens", isNumber),
    },
    knowledgeBaseIds: field(config, "knowledgeBaseIds", isStringArray),
    tools,
    maxToolSteps: field(config, "maxToolSteps", isNumber),
    guardrails: {
      blockedTopics: field(guardrails, "blockedTopics", isStringArray),
      redactPii: field(guardrails, "redactPii", isBoolean),
    },
    confidenceThreshold: field(config, "confidenceThreshold", isNumber),
    memoryWindow: field(config, "memoryWindow", isNumber),
    contextBudgetTokens: field(config, "contextBudgetTokens", isNumber),
    channels: field(config, "channels", isStringArray),
    // A version published before long-term memory existed has none: it is off.
    longTermMemory:
      config.longTermMemory === undefined
        ? defaultLongTermMemory
        : nested(config, "longTermMemory", (memory) => ({
            enabled: field(memory, "enabled", isBoolean),
            retentionDays: field(memory, "retentionDays", isNumber),
            scope: field(memory, "scope", isOneOf(["agent", "workspace"] as const)),
          })),
  };
}

function parseAgentRecord(value: unknown): Agent {
  const agent = record(value, "agent");
  return {
    ...parseConfig(agent),
    id: field(agent, "id", isString),
    status: field(agent, "status", isStatus),
    publishedVersion: field(agent, "publishedVersion", isNullableNumber),
    latestVersion: field(agent, "latestVersion", isNumber),
    createdAt: field(agent, "createdAt", isString),
    updatedAt: field(agent, "updatedAt", isString),
    ...(agent.lastActivityAt === null || isString(agent.lastActivityAt)
      ? { lastActivityAt: agent.lastActivityAt }
      : {}),
    // A platform older than the gate does not send it: no gate.
    publishGate:
      agent.publishGate === undefined || agent.publishGate === null
        ? null
        : nested(agent, "publishGate", parsePublishGate),
  };
}

function parsePublishGate(gate: Record<string, unknown>): PublishGate {
  return {
    enabled: field(gate, "enabled", isBoolean),
    datasetId: field(gate, "datasetId", isString),
    maxDrop: field(gate, "maxDrop", (v): v is number => isNumber(v) && v >= 0 && v <= 1),
    timeoutSeconds: optional(gate, "timeoutSeconds", isNumber, 120),
  };
}

function parseVersionRecord(value: unknown): AgentVersion {
  const version = record(value, "version");
  return {
    version: field(version, "version", isNumber),
    config: parseConfig(version.config),
    note: field(version, "note", isString),
    publishedAt: field(version, "publishedAt", isString),
    publishedBy: field(version, "publishedBy", isString),
  };
}

export function parseAgent(body: unknown, request: string, path: string): Agent {
  return parseWith(() => parseAgentRecord(body), request, path, "an agent");
}

export function parseAgentList(body: unknown, path: string): Agent[] {
  return parseWith(
    () => field(record(body, "body"), "agents", Array.isArray).map(parseAgentRecord),
    `GET ${path}`,
    path,
    "a list of agents",
  );
}

export function parseAgentVersions(body: unknown, path: string): AgentVersion[] {
  return parseWith(
    () => field(record(body, "body"), "versions", Array.isArray).map(parseVersionRecord),
    `GET ${path}`,
    path,
    "a list of versions",
  );
}

// ----- what agents may be configured with -----------------------------------------------------------

export const agentOptionsPath = "/v1/agent-options";

/** Statuses that mean "this platform has no such route", not "something went wrong". */
export const optionsMissingStatuses = [404, 405];

/** The unlisted options when the platform has no such route; any other failure stays an error. */
export function agentOptionsOrUnlisted(error: unknown): AgentOptions {
  if (
    error instanceof PlatformRequestError &&
    error.status !== undefined &&
    optionsMissingStatuses.includes(error.status)
  ) {
    return unlistedAgentOptions;
  }
  throw error;
}

function bounds(value: unknown, what: string): TokenBounds {
  const b = record(value, what);
  return {
    min: field(b, "min", isNumber),
    max: field(b, "max", isNumber),
    default: field(b, "default", isNumber),
  };
}

export function parseAgentOptions(body: unknown): AgentOptions {
  return parseWith(
    () => {
      const options = record(body, "body");
      const models = record(options.models, "models");
      const fallback = record(models.default, "models.default");
      const toolHosts = options.toolHosts;
      if (toolHosts !== null && !isStringArray(toolHosts)) throw new ShapeError("toolHosts");
      return {
        models: {
          default: {
            model: field(fallback, "model", isString),
            label: field(fallback, "label", isString),
            provider: typeof fallback.provider === "string" ? fallback.provider : null,
          },
          allowed: field(models, "allowed", isStringArray),
        },
        maxOutputTokens: bounds(options.maxOutputTokens, "maxOutputTokens"),
        contextBudgetTokens: bounds(options.contextBudgetTokens, "contextBudgetTokens"),
        toolHosts,
      };
    },
    `GET ${agentOptionsPath}`,
    agentOptionsPath,
    "the options agents may be configured with",
  );
}

// ----- the knowledge bases an agent can use ---------------------------------------------------------

/** Statuses that mean "this platform has no such listing", not "something went wrong". */
export const listingMissingStatuses = [404, 405];

export function parseKnowledgeBaseList(body: unknown): KnowledgeBaseList {
  if (!isRecord(body) || !Array.isArray(body.knowledgeBases)) {
    throw new PlatformRequestError(
      "invalid-response",
      knowledgeBasesPath,
      `GET ${knowledgeBasesPath} answered with something that is not a list of knowledge bases.`,
    );
  }
  return {
    available: true,
    knowledgeBases: body.knowledgeBases.filter(isRecord).flatMap((kb): KnowledgeBaseSummary[] =>
      typeof kb.id === "string" && typeof kb.name === "string"
        ? [
            {
              id: kb.id,
              name: kb.name,
              documentCount: typeof kb.documentCount === "number" ? kb.documentCount : 0,
            },
          ]
        : [],
    ),
  };
}
