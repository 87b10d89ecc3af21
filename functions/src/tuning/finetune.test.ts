/**
 * Fine-tuning jobs over HTTP, through the real `openai` SDK, against the local fake of OpenAI's API
 * (`/v1/files`, `/v1/fine_tuning/jobs`): the export's files uploaded as they are, a job followed from queued to
 * succeeded and its model registered once, cancellation, a job that fails, and provider errors (401, 429, 500, an
 * unreadable answer) that surface as clear errors and leave no record and no file behind. Without a provider the
 * job steps say which settings they need.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestPlatform } from "@alchemist/local/testing/platform";
import type { Deps } from "../platform/deps.js";
import type { FakeOpenAIServer } from "../platform/testing/fake-openai-server.js";
import { tunedModelsPath } from "../prompts/tuned-models.js";
import { isValidationConversation } from "./export.js";
import { cancelFineTuneJob, createFineTuneJob, getFineTuneJob, noProviderMessage } from "./finetune.js";
import { tuningJobPath, tuningJobsPath, type TuningExportView, type TuningJobView } from "./schema.js";
import { startTuningPlatform } from "./testing/provider-platform.js";
import { withdrawConversationFromExports } from "./withdraw.js";

let fake: FakeOpenAIServer;
let platform: TestPlatform;
let agentId: string;
let smallAgentId: string;
let exportId: string;
let smallExportId: string;

const baseModel = "gpt-4o-mini-2024-07-18";

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

const createJob = (body: Record<string, unknown>, key?: string) =>
  platform.fetch("/v1/tuning/jobs", { method: "POST", json: body, ...(key ? { key } : {}) });
const getJob = (id: string) => platform.fetch(`/v1/tuning/jobs/${id}`);
const jobCount = () => platform.deps.store.count({ collection: tuningJobsPath("acme") });

beforeAll(async () => {
  const tuning = await startTuningPlatform();
  ({ fake, platform } = tuning);
  const { makeAgent, ratedAnswers } = tuning;
  agentId = await makeAgent("HR bot");
  smallAgentId = await makeAgent("Small bot");
  const conversations = await ratedAnswers(agentId, 14);
  await ratedAnswers(smallAgentId, 3);
  // Conversation ids are random: a seed that leaves 10+ training examples and some validation ones.
  let seed = 0;
  const validationSide = (s: number) =>
    conversations.filter((id) => isValidationConversation(String(s), 0.2, id)).length;
  while (validationSide(seed) < 1 || validationSide(seed) > 4) seed++;
  const exported = await platform.fetch("/v1/tuning/exports", {
    method: "POST",
    json: { agentId, validationShare: 0.2, seed },
  });
  expect(exported.status, await exported.clone().text()).toBe(201);
  exportId = (await json<TuningExportView>(exported)).id;
  smallExportId = (
    await json<TuningExportView>(
      await platform.fetch("/v1/tuning/exports", { method: "POST", json: { agentId: smallAgentId } }),
    )
  ).id;
}, 120_000);

afterAll(async () => {
  await platform?.close();
  await fake?.close();
});

beforeEach(() => {
  fake.requests.length = 0;
});

describe("a fine-tuning job, start to finish", () => {
  let job: TuningJobView;

  it("uploads the export's files as they are and creates a supervised job", async () => {
    const res = await createJob({ exportId, baseModel, suffix: "hr-desk", hyperparameters: { nEpochs: 2 } });
    expect(res.status, await res.clone().text()).toBe(201);
    job = await json<TuningJobView>(res);
    expect(job).toMatchObject({
      exportId,
      baseModel,
      status: "validating_files",
      fineTunedModel: null,
      agentId,
    });
    const uploaded = fake.files.get(job.provider.trainingFileId);
    const train = await (await platform.fetch(`/v1/tuning/exports/${exportId}/files/train`)).text();
    expect(uploaded).toMatchObject({
      purpose: "fine-tune",
      filename: `${exportId}-train.jsonl`,
      content: train,
    });
    const validation = await (await platform.fetch(`/v1/tuning/exports/${exportId}/files/validation`)).text();
    expect(validation).not.toBe("");
    expect(fake.files.get(job.provider.validationFileId as string)?.content).toBe(validation);
    const [created] = fake.requestsTo("/v1/fine_tuning/jobs");
    expect(created?.body).toMatchObject({
      model: baseModel,
      training_file: job.provider.trainingFileId,
      suffix: "hr-desk",
      method: { type: "supervised", supervised: { hyperparameters: { n_epochs: 2 } } },
    });
    expect(created?.headers["idempotency-key"]).toBe(`alchemist-tuning-job-${job.id}`);
  });

  it("refuses the same training again while it runs (a replayed request), asking the provider nothing", async () => {
    const res = await createJob({ exportId, baseModel });
    expect(res.status).toBe(409);
    expect((await json<{ error: { message: string } }>(res)).error.message).toContain(job.id);
    expect(fake.requests).toEqual([]);
  });

  it("follows the provider's status, and registers the model once when it succeeds", async () => {
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push((await json<TuningJobView>(await getJob(job.id))).status);
    expect(seen).toEqual(["queued", "running", "succeeded"]);
    const done = await json<TuningJobView>(await getJob(job.id));
    expect(done).toMatchObject({
      status: "succeeded",
      fineTunedModel: expect.stringMatching(/^ft:gpt-4o-mini-2024-07-18:org-fake:hr-desk:/) as unknown,
      tunedModelId: job.id,
    });
    expect(done.trainedTokens).toBeGreaterThan(0);
    expect(done.finishedAt).not.toBeNull();
    // Finished: read from the record, the provider is not asked again.
    expect(fake.requestsTo(`/v1/fine_tuning/jobs/${fake.jobs.get(job.provider.jobId)?.id}`)).toHaveLength(3);
    const models = await json<{
      models: { id: string; name: string; baseModel: string; exportId: string }[];
    }>(await platform.fetch("/v1/tuning/models"));
    expect(models.models.filter((m) => m.id === job.id)).toEqual([
      expect.objectContaining({ name: done.fineTunedModel, baseModel, exportId, jobId: job.id }) as unknown,
    ]);
    const listed = await json<{ jobs: { id: string }[] }>(await platform.fetch("/v1/tuning/jobs"));
    expect(listed.jobs.map((j) => j.id)).toContain(job.id);
  });

  it("offers the registered model to this workspace's agents and experiments only, and answers with it", async () => {
    const tuned = (await json<TuningJobView>(await getJob(job.id))).fineTunedModel as string;
    const options = await json<{ models: { allowed: string[]; tuned: string[] } }>(
      await platform.fetch("/v1/agent-options"),
    );
    expect(options.models.tuned).toContain(tuned);
    expect(options.models.allowed).not.toContain(tuned);
    // Another workspace cannot name it, nor see it.
    const elsewhere = await platform.fetch("/v1/agents", {
      method: "POST",
      json: { name: "Thief", instructions: "x", knowledgeBaseIds: [], model: { name: tuned } },
      key: platform.keys.otherTenantOwner,
    });
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain("is not offered on this platform");
    const theirs = await json<{ models: { tuned: string[] } }>(
      await platform.fetch("/v1/agent-options", { key: platform.keys.otherTenantOwner }),
    );
    expect(theirs.models.tuned).toEqual([]);
    // An experiment variant may A/B it against the base model.
    const experiment = await platform.fetch("/v1/experiments", {
      method: "POST",
      json: {
        agentId,
        name: "Tuned vs base",
        variants: [
          { id: "base", name: "Base", share: 0.5, overrides: {} },
          { id: "tuned", name: "Tuned", share: 0.5, overrides: { modelName: tuned } },
        ],
      },
    });
    expect(experiment.status, await experiment.clone().text()).toBe(201);
    // An agent naming it is saved, published, and its turns ask the provider for that model.
    const updated = await platform.fetch(`/v1/agents/${smallAgentId}`, {
      method: "PATCH",
      json: { model: { name: tuned } },
    });
    expect(updated.status, await updated.clone().text()).toBe(200);
    expect(
      (await platform.fetch(`/v1/agents/${smallAgentId}/publish`, { method: "POST", json: {} })).status,
    ).toBe(200);
    fake.reset();
    const started = await json<{ id: string }>(
      await platform.fetch(`/v1/agents/${smallAgentId}/conversations`, { method: "POST", json: {} }),
    );
    const answered = await platform.fetch(`/v1/conversations/${started.id}/messages`, {
      method: "POST",
      json: { content: "How many vacation days do full-time employees get?" },
    });
    expect(answered.status, await answered.clone().text()).toBe(200);
    const models = fake.requestsTo("/v1/chat/completions").map((r) => (r.body as { model?: string }).model);
    expect(models.length).toBeGreaterThan(0);
    expect(new Set(models)).toEqual(new Set([tuned]));
  });

  it("cancels a job that runs, and refuses to cancel it twice", async () => {
    const created = await json<TuningJobView>(
      await createJob({ exportId, baseModel: "gpt-4.1-nano-2025-04-14" }),
    );
    const cancelled = await platform.fetch(`/v1/tuning/jobs/${created.id}/cancel`, { method: "POST" });
    expect(cancelled.status).toBe(200);
    expect(await json<TuningJobView>(cancelled)).toMatchObject({ status: "cancelled", tunedModelId: null });
    const again = await platform.fetch(`/v1/tuning/jobs/${created.id}/cancel`, { method: "POST" });
    expect(again.status).toBe(400);
    expect((await json<{ error: { message: string } }>(again)).error.message).toContain("already cancelled");
  });

  it("records a job that fails, with the provider's reason, and registers no model", async () => {
    fake.fineTuningOutcomes("failed");
    const created = await json<TuningJobView>(
      await createJob({ exportId, baseModel: "gpt-4.1-mini-2025-04-14" }),
    );
    let last = created;
    for (let i = 0; i < 3; i++) last = await json<TuningJobView>(await getJob(created.id));
    expect(last).toMatchObject({
      status: "failed",
      error: { code: "invalid_training_file", message: "The training file could not be used." },
      fineTunedModel: null,
      tunedModelId: null,
    });
    expect(await platform.deps.store.get(`${tunedModelsPath("acme")}/${created.id}`)).toBeNull();
  });
});

describe("refused before anything is sent", () => {
  it.each([
    ["another tenant's export", () => ({ exportId, baseModel }), 404, () => platform.keys.otherTenantOwner],
    ["an export that does not exist", () => ({ exportId: "nope", baseModel }), 404, () => undefined],
    ["fewer than 10 training examples", () => ({ exportId: smallExportId, baseModel }), 400, () => undefined],
    ["a base model with spaces", () => ({ exportId, baseModel: "gpt 4\nrm -rf" }), 400, () => undefined],
    ["zero epochs", () => ({ exportId, baseModel, hyperparameters: { nEpochs: 0 } }), 400, () => undefined],
    ["an unknown field", () => ({ exportId, baseModel, training_file: "file-x" }), 400, () => undefined],
    ["a viewer", () => ({ exportId, baseModel }), 403, () => platform.keys.viewer],
  ])("%s", async (_name, body, status, key) => {
    const before = await jobCount();
    const res = await createJob(body(), key());
    expect(res.status, await res.clone().text()).toBe(status);
    if (status === 400 && body().exportId === smallExportId) {
      expect((await json<{ error: { message: string } }>(res)).error.message).toMatch(/needs at least 10/);
    }
    expect(fake.requests).toEqual([]);
    expect(await jobCount()).toBe(before);
  });
});

describe("provider errors leave nothing behind", () => {
  const cases: [
    string,
    FakeOpenAIServer["replyToFineTuning"] extends (...a: infer A) => void ? A : never,
    number,
    RegExp,
  ][] = [
    [
      "a rejected key on the upload",
      [{ kind: "error", status: 401, message: `Incorrect API key provided: sk-fake-test-key-0123456789` }],
      400,
      /rejected the API key.*OPENAI_API_KEY/,
    ],
    [
      "a rate limit on the job",
      [null, null, { kind: "error", status: 429, message: "Rate limit reached" }],
      429,
      /rate limit or quota/,
    ],
    ["a server error on the job", [null, null, { kind: "error", status: 500 }], 503, /failed \(HTTP 500\)/],
    ["an unreadable answer on the job", [null, null, { kind: "malformed" }], 503, /could not be read/],
  ];
  it.each(cases)("%s", async (_name, script, status, message) => {
    const files = fake.files.size;
    const before = await jobCount();
    fake.replyToFineTuning(...script);
    const res = await createJob({ exportId, baseModel: "gpt-4o-2024-08-06" });
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(text).toMatch(message);
    expect(text).not.toContain(fake.apiKey);
    expect(await jobCount()).toBe(before);
    // The files uploaded before the failure were deleted again.
    expect(fake.files.size).toBe(files);
  });

  it("a status read that fails changes nothing", async () => {
    const created = await json<TuningJobView>(await createJob({ exportId, baseModel: "gpt-3.5-turbo-0125" }));
    fake.replyToFineTuning({ kind: "error", status: 500 });
    const res = await getJob(created.id);
    expect(res.status).toBe(503);
    const stored = await platform.deps.store.get(tuningJobPath("acme", created.id));
    expect(stored?.data).toMatchObject({ status: "validating_files", updatedAt: created.updatedAt });
    expect((await json<TuningJobView>(await getJob(created.id))).status).toBe("queued");
  });

  it("a record that cannot be written cancels the job and deletes its files", async () => {
    const files = fake.files.size;
    const store = platform.deps.store;
    const failing: Deps = {
      ...platform.deps,
      store: Object.assign(Object.create(Object.getPrototypeOf(store) as object) as typeof store, store, {
        create: () => Promise.reject(new Error("store unavailable")),
      }),
    };
    await expect(
      createFineTuneJob(failing, "acme", { exportId, baseModel: "davinci-002" }, "test"),
    ).rejects.toThrow("store unavailable");
    const created = [...fake.jobs.values()].find((j) => j.model === "davinci-002");
    expect(created?.status).toBe("cancelled");
    expect(fake.files.size).toBe(files);
  });
});

describe("without a provider", () => {
  it("says which settings fine-tuning needs, and still shows a job's last known status", async () => {
    const local: Deps = { ...platform.deps, fineTuning: undefined };
    await expect(
      createFineTuneJob(local, "acme", { exportId, baseModel: "babbage-002" }, "test"),
    ).rejects.toMatchObject({ code: "failed-precondition", message: noProviderMessage });
    expect(noProviderMessage).toMatch(/OPENAI_API_KEY.*OPENAI_BASE_URL/);
    const running = await json<TuningJobView>(await createJob({ exportId, baseModel: "babbage-002" }));
    await expect(cancelFineTuneJob(local, "acme", running.id)).rejects.toMatchObject({
      code: "failed-precondition",
    });
    expect(await getFineTuneJob(local, "acme", running.id)).toMatchObject({ status: "validating_files" });
  });
});

describe("examples withdrawn from an export a job was created from", () => {
  it("deletes a finished job's files at the provider, keeps a running job's, and says so on the export", async () => {
    const made = await platform.fetch("/v1/tuning/exports", {
      method: "POST",
      json: { agentId, validationShare: 0 },
    });
    expect(made.status, await made.clone().text()).toBe(201);
    const exported = await json<TuningExportView>(made);
    const finished = await json<TuningJobView>(await createJob({ exportId: exported.id, baseModel }));
    for (let i = 0; i < 3; i++) await getJob(finished.id);
    expect((await json<TuningJobView>(await getJob(finished.id))).status).toBe("succeeded");
    const running = await json<TuningJobView>(
      await createJob({ exportId: exported.id, baseModel: "gpt-4.1-mini-2025-04-14" }),
    );
    expect(fake.files.has(finished.provider.trainingFileId)).toBe(true);

    const manifest = await (await platform.fetch(`/v1/tuning/exports/${exported.id}/files/manifest`)).text();
    const conversationId = (JSON.parse(manifest.split("\n")[0] as string) as { conversationId: string })
      .conversationId;
    await withdrawConversationFromExports(platform.deps, "acme", conversationId);

    const after = await json<TuningExportView>(await platform.fetch(`/v1/tuning/exports/${exported.id}`));
    expect(after.counts.train).toBe(exported.counts.train - 1);
    expect(after.withdrawn?.jobs).toHaveLength(2);
    expect(after.withdrawn?.jobs).toEqual(
      expect.arrayContaining([
        { jobId: finished.id, providerFiles: "deleted", reason: null },
        {
          jobId: running.id,
          providerFiles: "kept",
          reason: expect.stringContaining(
            `the job was validating_files when last read, so its files were left at ${fake.baseURL}`,
          ) as unknown,
        },
      ]) as unknown,
    );
    expect(fake.files.has(finished.provider.trainingFileId)).toBe(false);
    expect(fake.files.has(running.provider.trainingFileId)).toBe(true);
    expect(after.notes.join(" ")).toContain("A model already trained keeps what it learned from them");
    // A job created now uploads what is left.
    await cancelFineTuneJob(platform.deps, "acme", running.id);
    const again = await json<TuningJobView>(
      await createJob({ exportId: exported.id, baseModel: "gpt-4.1-mini-2025-04-14" }),
    );
    const uploaded = fake.files.get(again.provider.trainingFileId)?.content ?? "";
    expect(uploaded).not.toContain(conversationId);
    expect(uploaded.split("\n").filter(Boolean)).toHaveLength(after.counts.train);
  });
});
