/**
 * Finds the functions to host by reading each export's own trigger description (`__endpoint`), the way
 * firebase-tools discovers what to deploy: there is no second list of functions to keep in sync.
 */

export interface RetryConfig {
  readonly maxAttempts?: number;
  readonly maxRetrySeconds?: number;
  readonly minBackoffSeconds?: number;
  readonly maxBackoffSeconds?: number;
  readonly maxDoublings?: number;
}

export interface Endpoint {
  readonly platform?: string;
  readonly region?: unknown[];
  readonly timeoutSeconds?: unknown;
  readonly httpsTrigger?: Record<string, unknown>;
  readonly callableTrigger?: Record<string, unknown>;
  readonly eventTrigger?: {
    readonly eventType: string;
    readonly eventFilters?: Record<string, unknown>;
    readonly eventFilterPathPatterns?: Record<string, unknown>;
    readonly retry?: unknown;
  };
  // Options the function left unset hold firebase-functions' RESET_VALUE object, not a number: read them
  // through `numberOption` / `retryConfigOf`.
  readonly taskQueueTrigger?: {
    readonly retryConfig?: Readonly<Record<string, unknown>>;
    readonly rateLimits?: { readonly maxConcurrentDispatches?: unknown };
  };
  /** Cloud Scheduler's retry settings: `retryCount` retries after the first attempt, and the backoff fields. */
  readonly scheduleTrigger?: {
    readonly schedule: unknown;
    readonly timeZone?: unknown;
    readonly retryConfig?: Readonly<Record<string, unknown>>;
  };
}

export type HostedKind = "https" | "callable" | "storage" | "firestore" | "task" | "schedule" | "unsupported";

export interface HostedFunction {
  /** The deployed id: `group-name` for grouped exports, as Firebase names them. */
  readonly name: string;
  readonly kind: HostedKind;
  readonly endpoint: Endpoint;
  /** The export itself: an Express-style handler with `.run` for the event and task kinds. */
  readonly fn: ((req: unknown, res: unknown) => unknown) & { run?: (...args: unknown[]) => unknown };
}

function kindOf(endpoint: Endpoint): HostedKind {
  if (endpoint.callableTrigger) return "callable";
  if (endpoint.httpsTrigger) return "https";
  if (endpoint.taskQueueTrigger) return "task";
  if (endpoint.scheduleTrigger) return "schedule";
  const type = endpoint.eventTrigger?.eventType ?? "";
  if (type.startsWith("google.cloud.storage.object.v1.")) return "storage";
  if (type.startsWith("google.cloud.firestore.document.v1.")) return "firestore";
  return "unsupported";
}

export function discoverFunctions(exports: Record<string, unknown>, prefix = ""): HostedFunction[] {
  const found: HostedFunction[] = [];
  for (const [key, value] of Object.entries(exports)) {
    if (typeof value === "function" && "__endpoint" in value && typeof value.__endpoint === "object") {
      const endpoint = value.__endpoint as Endpoint;
      found.push({
        name: prefix + key,
        kind: kindOf(endpoint),
        endpoint,
        fn: value as unknown as HostedFunction["fn"],
      });
    } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      found.push(...discoverFunctions(value as Record<string, unknown>, `${prefix}${key}-`));
    }
  }
  return found;
}

/** A numeric option, or the fallback when unset or given as a deploy-time expression. */
export function numberOption(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** The retry settings a trigger declares as plain numbers; the runner fills in the rest. */
export function retryConfigOf(raw: Readonly<Record<string, unknown>> | undefined): RetryConfig {
  const out: { -readonly [K in keyof RetryConfig]: number } = {};
  for (const key of [
    "maxAttempts",
    "maxRetrySeconds",
    "minBackoffSeconds",
    "maxBackoffSeconds",
    "maxDoublings",
  ] as const) {
    const value = raw?.[key];
    if (typeof value === "number" && Number.isFinite(value)) out[key] = value;
  }
  return out;
}
