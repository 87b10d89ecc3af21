/**
 * What this platform lets an agent be configured with (`GET /v1/agent-options`): the chat models its
 * operator offers, the largest answer and context an agent may ask for, and the hosts HTTP tools may call.
 * The builder offers only these; the platform refuses anything else when the agent is saved.
 */
import { PlatformRequestError } from "./platform";
import { field, isNumber, isString, isStringArray, parseWith, record, ShapeError } from "./shape";

export interface TokenBounds {
  readonly min: number;
  readonly max: number;
  /** What a new agent starts with. */
  readonly default: number;
}

export interface AgentOptions {
  /** `null` from a platform that does not say (any name may be typed, the platform decides). */
  readonly models: {
    /** What an agent without a model name uses. */
    readonly default: { readonly model: string; readonly label: string };
    /** Names an agent may pick. */
    readonly allowed: readonly string[];
  } | null;
  readonly maxOutputTokens: TokenBounds;
  readonly contextBudgetTokens: TokenBounds;
  /** Hosts HTTP tools may call (`*.example.com` covers names below it); `null`: any public host. */
  readonly toolHosts: readonly string[] | null;
}

export const agentOptionsPath = "/v1/agent-options";

/** A platform older than `GET /v1/agent-options`: its schema's own limits, and any model name. */
export const unlistedAgentOptions: AgentOptions = {
  models: null,
  maxOutputTokens: { min: 16, max: 16_384, default: 800 },
  contextBudgetTokens: { min: 1000, max: 1_000_000, default: 8000 },
  toolHosts: null,
};

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
          default: { model: field(fallback, "model", isString), label: field(fallback, "label", isString) },
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

/** Whether an HTTP tool's host is one the platform lets tools call (the same matching as the platform's). */
export function toolHostAllowed(host: string, toolHosts: readonly string[] | null): boolean {
  if (toolHosts === null) return true;
  const name = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
  return toolHosts.some((entry) => (entry.startsWith("*.") ? name.endsWith(entry.slice(1)) : name === entry));
}
