/**
 * What this platform lets an agent be configured with (`GET /v1/agent-options`): the chat models its
 * operator offers, the largest answer and context an agent may ask for, and the hosts HTTP tools may call.
 * The builder offers only these; the platform refuses anything else when the agent is saved.
 */

export interface TokenBounds {
  readonly min: number;
  readonly max: number;
  /** What a new agent starts with. */
  readonly default: number;
}

export interface AgentOptions {
  /** `null` from a platform that does not say (any name may be typed, the platform decides). */
  readonly models: {
    /**
     * What an agent without a model name uses; `provider` is null from a platform that does not say
     * (`local-extractive` is the built-in model, which quotes passages and can neither judge nor play a user).
     */
    readonly default: { readonly model: string; readonly label: string; readonly provider: string | null };
    /** Names an agent may pick. */
    readonly allowed: readonly string[];
  } | null;
  readonly maxOutputTokens: TokenBounds;
  readonly contextBudgetTokens: TokenBounds;
  /** Hosts HTTP tools may call (`*.example.com` covers names below it); `null`: any public host. */
  readonly toolHosts: readonly string[] | null;
}

/** A platform older than `GET /v1/agent-options`: its schema's own limits, and any model name. */
export const unlistedAgentOptions: AgentOptions = {
  models: null,
  maxOutputTokens: { min: 16, max: 16_384, default: 800 },
  contextBudgetTokens: { min: 1000, max: 1_000_000, default: 8000 },
  toolHosts: null,
};

/**
 * Whether the platform's model can play a simulated end user (and judge answers): any model but the built-in
 * extractive one. Null when the platform does not say.
 */
export function canPlayEndUser(options: AgentOptions | undefined): boolean | null {
  const provider = options?.models?.default.provider;
  return provider === undefined || provider === null ? null : provider !== "local-extractive";
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
