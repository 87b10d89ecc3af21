import { getPlatformJson, isRecord, PlatformRequestError } from "./platform";
import { useRemoteData, type RemoteData } from "./useRemoteData";

/** The shape of `GET /health`, served by the local runtime and by the `api` function in Firebase mode. */
export type HealthStatus = "ok" | "degraded" | "down";
export type RunMode = "local" | "firebase";

export interface HealthCheck {
  readonly name: string;
  readonly status: HealthStatus;
  readonly detail?: string;
  readonly latencyMs?: number;
}

export interface ChatModelInfo {
  readonly provider: "local-extractive" | "openai-compatible";
  readonly model: string;
  readonly label: string;
}

export interface EmbedderInfo {
  readonly provider: string;
  readonly model: string;
  readonly dimensions: number;
  readonly label: string;
}

/** A cross-encoder that reorders search results (local mode's LOCAL_MODELS_DIR); most instances have none. */
export interface RerankerInfo {
  readonly provider: string;
  readonly model: string;
  readonly label: string;
}

export interface HealthReport {
  readonly status: HealthStatus;
  readonly mode: RunMode;
  readonly version: string;
  readonly checks: readonly HealthCheck[];
  readonly models: {
    readonly chat: ChatModelInfo;
    readonly embedder: EmbedderInfo;
    readonly reranker: RerankerInfo | null;
  };
}

const healthPath = "/health";
/** How often the Overview asks again. */
export const healthRefreshMs = 10_000;

export async function fetchHealth(signal: AbortSignal): Promise<HealthReport> {
  // A "down" platform answers 503 with a full report: that is data to show, not a failed request.
  return parseHealthReport(await getPlatformJson(healthPath, { signal, acceptStatuses: [503] }));
}

export function useHealth(): RemoteData<HealthReport> {
  return useRemoteData(fetchHealth, { refreshMs: healthRefreshMs });
}

const statuses: readonly HealthStatus[] = ["ok", "degraded", "down"];
const modes: readonly RunMode[] = ["local", "firebase"];
const chatProviders: readonly ChatModelInfo["provider"][] = ["local-extractive", "openai-compatible"];

/** Checks the body at the edge, so screens can trust every field they render. */
export function parseHealthReport(body: unknown): HealthReport {
  const invalid = (what: string) =>
    new PlatformRequestError(
      "invalid-response",
      healthPath,
      `GET ${healthPath} answered with something that is not a health report (${what}).`,
    );
  if (!isRecord(body)) throw invalid("not an object");
  const { status, mode, version, checks, models } = body;
  if (!oneOf(statuses, status)) throw invalid("status");
  if (!oneOf(modes, mode)) throw invalid("mode");
  if (typeof version !== "string") throw invalid("version");
  if (!isRecord(checks)) throw invalid("checks");
  if (!isRecord(models) || !isRecord(models.chat) || !isRecord(models.embedder)) throw invalid("models");
  const { chat, embedder } = models;
  // Absent from platforms older than the reranker: none.
  const rawReranker = models.reranker ?? null;

  const parsedChecks = Object.entries(checks).map(([name, check]): HealthCheck => {
    if (!isRecord(check) || !oneOf(statuses, check.status)) throw invalid(`checks.${name}`);
    return {
      name,
      status: check.status,
      ...(typeof check.detail === "string" ? { detail: check.detail } : {}),
      ...(typeof check.latencyMs === "number" ? { latencyMs: check.latencyMs } : {}),
    };
  });
  if (
    !oneOf(chatProviders, chat.provider) ||
    typeof chat.model !== "string" ||
    typeof chat.label !== "string"
  ) {
    throw invalid("models.chat");
  }
  if (
    typeof embedder.provider !== "string" ||
    typeof embedder.model !== "string" ||
    typeof embedder.dimensions !== "number" ||
    typeof embedder.label !== "string"
  ) {
    throw invalid("models.embedder");
  }
  let reranker: RerankerInfo | null = null;
  if (rawReranker !== null) {
    if (
      !isRecord(rawReranker) ||
      typeof rawReranker.provider !== "string" ||
      typeof rawReranker.model !== "string" ||
      typeof rawReranker.label !== "string"
    ) {
      throw invalid("models.reranker");
    }
    reranker = { provider: rawReranker.provider, model: rawReranker.model, label: rawReranker.label };
  }
  return {
    status,
    mode,
    version,
    checks: parsedChecks,
    models: {
      chat: { provider: chat.provider, model: chat.model, label: chat.label },
      embedder: {
        provider: embedder.provider,
        model: embedder.model,
        dimensions: embedder.dimensions,
        label: embedder.label,
      },
      reranker,
    },
  };
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value);
}
