/**
 * Fine-tuning over an OpenAI-compatible API through the official `openai` SDK: `/files` (purpose `fine-tune`) and
 * `/fine_tuning/jobs` (create, retrieve, cancel). The SDK is loaded on first use, like the chat adapter's, and
 * failures become `AppError`s the same way (openai-provider.ts `toModelError`): a rejected key is
 * `failed-precondition` naming the settings, a rate limit `resource-exhausted`, a server error `unavailable`, and
 * the key never appears in a message.
 */
import type OpenAI from "openai";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";
import type { FineTuning, FineTuningJobState } from "../ports.js";
import { baseURLOf, connector, displayURL, redact, toModelError } from "./openai-provider.js";

type OpenAIConfig = Config["openai"];
type SdkJob = OpenAI.FineTuning.Jobs.FineTuningJob;

const statuses = new Set<FineTuningJobState["status"]>([
  "validating_files",
  "queued",
  "running",
  "succeeded",
  "failed",
  "cancelled",
]);

const isoFromSeconds = (seconds: number | null | undefined): string | null =>
  typeof seconds === "number" && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null;

function toJobState(job: SdkJob, cfg: OpenAIConfig): FineTuningJobState {
  if (typeof job.id !== "string" || !statuses.has(job.status)) {
    throw new AppError(
      "unavailable",
      `The model provider returned a fine-tuning job the platform cannot read (status ${String(job.status).slice(0, 40)}).`,
    );
  }
  return {
    id: job.id,
    status: job.status,
    baseModel: job.model,
    fineTunedModel: job.fine_tuned_model ?? null,
    trainedTokens: typeof job.trained_tokens === "number" ? job.trained_tokens : null,
    error:
      job.error && (job.error.message || job.error.code)
        ? {
            code: redact(String(job.error.code ?? "error"), cfg).slice(0, 100),
            message: redact(String(job.error.message ?? ""), cfg).slice(0, 2000),
          }
        : null,
    createdAt: isoFromSeconds(job.created_at) ?? new Date(0).toISOString(),
    finishedAt: isoFromSeconds(job.finished_at),
  };
}

export function openAIFineTuning(cfg: OpenAIConfig): FineTuning {
  const connect = connector(cfg);
  const where = displayURL(baseURLOf(cfg));
  return {
    info: { provider: "openai-compatible", baseURL: where, label: `OpenAI-compatible API at ${where}` },
    async uploadFile(fileName, data) {
      const { sdk, client } = await connect();
      try {
        const file = await sdk.toFile(Buffer.from(data), fileName, { type: "application/jsonl" });
        const created = await client.files.create({ file, purpose: "fine-tune" });
        return { id: created.id };
      } catch (e) {
        throw toModelError(e, sdk, cfg, "fine-tuning file upload");
      }
    },
    async deleteFile(fileId) {
      const { sdk, client } = await connect();
      try {
        await client.files.delete(fileId);
      } catch (e) {
        if (e instanceof sdk.NotFoundError) return;
        throw toModelError(e, sdk, cfg, "fine-tuning file deletion");
      }
    },
    async createJob(input) {
      const { sdk, client } = await connect();
      const h = input.hyperparameters ?? {};
      const hyperparameters = {
        ...(h.nEpochs !== undefined ? { n_epochs: h.nEpochs } : {}),
        ...(h.batchSize !== undefined ? { batch_size: h.batchSize } : {}),
        ...(h.learningRateMultiplier !== undefined
          ? { learning_rate_multiplier: h.learningRateMultiplier }
          : {}),
      };
      try {
        const job = await client.fineTuning.jobs.create(
          {
            model: input.baseModel,
            training_file: input.trainingFileId,
            ...(input.validationFileId ? { validation_file: input.validationFileId } : {}),
            ...(input.suffix ? { suffix: input.suffix } : {}),
            // Supervised fine-tuning; `method` replaces the deprecated top-level `hyperparameters`.
            method: { type: "supervised", supervised: { hyperparameters } },
          },
          // The SDK sends no idempotency key for OpenAI by itself; its retries reuse these headers.
          { headers: { "Idempotency-Key": input.idempotencyKey } },
        );
        return toJobState(job, cfg);
      } catch (e) {
        throw toModelError(e, sdk, cfg, "fine-tuning job");
      }
    },
    async getJob(jobId) {
      const { sdk, client } = await connect();
      try {
        return toJobState(await client.fineTuning.jobs.retrieve(jobId), cfg);
      } catch (e) {
        throw toModelError(e, sdk, cfg, "fine-tuning job");
      }
    },
    async cancelJob(jobId) {
      const { sdk, client } = await connect();
      try {
        return toJobState(await client.fineTuning.jobs.cancel(jobId), cfg);
      } catch (e) {
        throw toModelError(e, sdk, cfg, "fine-tuning job");
      }
    },
  };
}
