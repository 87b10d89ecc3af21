/**
 * Agent Tuning's fine-tuning routes: create a job from an export, follow it, cancel it, and list the models jobs
 * produced. They need `agents.manage` (editors and up), like the exports they train on. Without an
 * OpenAI-compatible provider, creating and cancelling a job answer `failed-precondition` naming the settings.
 */
import { z } from "zod";
import { route, type Route } from "../platform/http/router.js";
import { idSchema } from "../platform/validation.js";
import {
  cancelFineTuneJob,
  createFineTuneJob,
  createJobInput,
  getFineTuneJob,
  listFineTuneJobs,
} from "./finetune.js";
import { listTunedModels, tunedModelSchema } from "../prompts/tuned-models.js";
import { tuningJobSchema } from "./schema.js";

const jobResponse = tuningJobSchema.extend({ id: z.string() });
const jobParams = z.object({ jobId: idSchema });

export const tuningJobRoutes: Route<unknown, unknown>[] = [
  route({
    method: "POST",
    path: "/v1/tuning/jobs",
    summary:
      "Fine-tune a model on an export at the configured OpenAI-compatible provider: uploads the export's files " +
      "and creates a supervised job. Body: {exportId, baseModel (e.g. gpt-4o-mini-2024-07-18), suffix?, " +
      "hyperparameters?: {nEpochs?, batchSize?, learningRateMultiplier?}}. The export needs at least 10 " +
      "training examples. Without a provider (the built-in local models): failed-precondition",
    tag: "Tuning",
    permission: "agents.manage",
    body: { kind: "json", schema: createJobInput },
    status: 201,
    response: jobResponse,
    handle: ({ deps, caller, body }) => createFineTuneJob(deps, caller.tenantId, body, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/tuning/jobs",
    summary:
      "The workspace's fine-tuning jobs, newest first, as last read from the provider (by the background checks " +
      "that follow each job, or a request for it)",
    tag: "Tuning",
    permission: "agents.manage",
    response: z.object({ jobs: z.array(jobResponse) }),
    handle: async ({ deps, caller }) => ({ jobs: await listFineTuneJobs(deps, caller.tenantId) }),
  }),
  route({
    method: "GET",
    path: "/v1/tuning/jobs/{jobId}",
    summary:
      "A fine-tuning job, its status read from the provider while it runs. When it succeeds, the model it made " +
      "is registered (GET /v1/tuning/models) and can be named as an agent's or an experiment variant's model. " +
      "`follow` says whether the platform still checks it in the background, when it last did and will next, " +
      "or why it stopped (finished, limit, no-provider, not-queued)",
    tag: "Tuning",
    permission: "agents.manage",
    params: jobParams,
    response: jobResponse,
    handle: ({ deps, caller, params }) => getFineTuneJob(deps, caller.tenantId, params.jobId),
  }),
  route({
    method: "POST",
    path: "/v1/tuning/jobs/{jobId}/cancel",
    summary: "Cancel a fine-tuning job that has not finished",
    tag: "Tuning",
    permission: "agents.manage",
    params: jobParams,
    response: jobResponse,
    handle: ({ deps, caller, params }) => cancelFineTuneJob(deps, caller.tenantId, params.jobId),
  }),
  route({
    method: "GET",
    path: "/v1/tuning/models",
    summary:
      "Models the workspace's fine-tuning jobs produced, newest first: name, base model, job and export",
    tag: "Tuning",
    permission: "agents.manage",
    response: z.object({ models: z.array(tunedModelSchema.extend({ id: z.string() })) }),
    handle: async ({ deps, caller }) => ({ models: await listTunedModels(deps, caller.tenantId) }),
  }),
];
