import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noProviderMessage, tuningExport } from "../../test/evaluationFixtures";
import { errorResponse, jsonResponse, stubFetch, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { PlatformRequestError } from "../platform";
import { parseJob, parseTuningExport, restTuning } from "./tuning";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("tuning over REST", () => {
  it("creates an export with what it includes, and reads its counts, tokens, cost and report", async () => {
    const platform = stubPlatform({ "POST /v1/tuning/exports": () => jsonResponse(tuningExport, 201) });
    const created = await restTuning.createTuningExport({
      agentId: "agt_hr",
      validationShare: 0.1,
      include: { rated: true, annotations: false },
    });
    expect(platform.sent("POST /v1/tuning/exports")[0]?.body).toEqual({
      agentId: "agt_hr",
      validationShare: 0.1,
      include: { rated: true, annotations: false },
    });
    expect(created.counts).toMatchObject({ examples: 12, train: 11, validation: 1, fromAnnotations: 3 });
    expect(created.redactions).toEqual({ email: 3, phone: 1 });
    expect(created.cost.models[0]).toMatchObject({ model: "gpt-4o-mini-2024-07-18", usdPerEpoch: 0.0162 });
    expect(created.validation.validation.warnings[0]?.message).toMatch(/at least 10 examples/);
  });

  it("downloads a file with the session's token", async () => {
    const fetchMock = stubFetch(() => new Response('{"messages":[]}\n', { status: 200 }));
    const blob = await restTuning.downloadTuningFile("exp_tune1", "train");
    expect(await blob.text()).toBe('{"messages":[]}\n');
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(String(url)).toBe("/v1/tuning/exports/exp_tune1/files/train");
    expect(new Headers(init?.headers).get("Authorization")).toBe("Bearer als_ann_acme.signature");
  });

  it("keeps the platform's code when fine-tuning needs a provider", async () => {
    stubPlatform({
      "POST /v1/tuning/jobs": () => errorResponse(412, "failed-precondition", noProviderMessage),
    });
    const error = await restTuning
      .createFineTuneJob({ exportId: "exp_tune1", baseModel: "gpt-4o-mini-2024-07-18" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformRequestError);
    expect((error as PlatformRequestError).code).toBe("failed-precondition");
    expect((error as PlatformRequestError).reason).toBe(noProviderMessage);
  });

  it("names the part of an export it cannot read", () => {
    expect(() => parseTuningExport({ ...tuningExport, redactions: { email: "3" } })).toThrow(
      "redactions.email",
    );
    expect(() =>
      parseTuningExport({
        ...tuningExport,
        validation: { ...tuningExport.validation, train: { valid: "yes" } },
      }),
    ).toThrow(/^validation\.train\.valid$/);
  });

  it("lists the models jobs produced, and names a malformed one's field", async () => {
    const model = {
      id: "job_1",
      name: "ft:gpt-4o-mini-2024-07-18:acme::hr1",
      baseModel: "gpt-4o-mini-2024-07-18",
      jobId: "job_1",
      exportId: "exp_tune1",
      agentId: null,
      createdAt: "2026-11-25T10:00:00.000Z",
    };
    const platform = stubPlatform({ "GET /v1/tuning/models": () => jsonResponse({ models: [model] }) });
    expect(await restTuning.listTunedModels(new AbortController().signal)).toEqual([
      {
        id: "job_1",
        name: "ft:gpt-4o-mini-2024-07-18:acme::hr1",
        baseModel: "gpt-4o-mini-2024-07-18",
        createdAt: "2026-11-25T10:00:00.000Z",
      },
    ]);
    platform.routes["GET /v1/tuning/models"] = () => jsonResponse({ models: [{ ...model, name: 7 }] });
    await expect(restTuning.listTunedModels(new AbortController().signal)).rejects.toThrow(
      "GET /v1/tuning/models answered with something that is not a list of tuned models (models[0].name).",
    );
  });

  it("lists jobs", async () => {
    stubPlatform({
      "GET /v1/tuning/jobs": () =>
        jsonResponse({
          jobs: [
            {
              id: "job_1",
              exportId: "exp_tune1",
              agentId: "agt_hr",
              baseModel: "gpt-4o-mini-2024-07-18",
              suffix: null,
              hyperparameters: {},
              provider: {
                baseURL: "https://api.openai.com/v1",
                jobId: "ftjob-1",
                trainingFileId: "file-1",
                validationFileId: null,
              },
              status: "running",
              fineTunedModel: null,
              trainedTokens: null,
              error: null,
              tunedModelId: null,
              createdBy: "acc_ann",
              createdAt: "2026-11-25T10:00:00.000Z",
              updatedAt: "2026-11-25T10:05:00.000Z",
              checkedAt: "2026-11-25T10:05:00.000Z",
              finishedAt: null,
            },
          ],
        }),
    });
    const jobs = await restTuning.listFineTuneJobs(new AbortController().signal);
    expect(jobs).toEqual([
      expect.objectContaining({
        id: "job_1",
        status: "running",
        baseModel: "gpt-4o-mini-2024-07-18",
        error: null,
      }),
    ]);
  });

  it("reads how a job is followed in the background, and names a malformed part of it", () => {
    const job = {
      id: "job_2",
      exportId: "exp_tune1",
      baseModel: "gpt-4o-mini-2024-07-18",
      status: "running",
      fineTunedModel: null,
      trainedTokens: null,
      error: null,
      createdAt: "2026-11-25T10:00:00.000Z",
      updatedAt: "2026-11-25T10:05:00.000Z",
    };
    // Jobs created before they were followed have no `follow`.
    expect(parseJob(job).follow).toBeNull();
    const follow = {
      followed: false,
      reason: { code: "limit", message: "The job was followed for 7 days without finishing." },
      check: 680,
      lastCheckedAt: "2026-12-02T10:00:00.000Z",
      nextCheckAt: null,
      lastError: "The model provider failed (HTTP 500)",
      since: "2026-11-25T10:00:00.000Z",
    };
    expect(parseJob({ ...job, follow }).follow).toEqual({
      followed: false,
      reason: { code: "limit", message: "The job was followed for 7 days without finishing." },
      lastCheckedAt: "2026-12-02T10:00:00.000Z",
      nextCheckAt: null,
      lastError: "The model provider failed (HTTP 500)",
    });
    expect(() => parseJob({ ...job, follow: { ...follow, followed: "yes" } })).toThrow("follow.followed");
    expect(() => parseJob({ ...job, follow: { ...follow, nextCheckAt: "soon" } })).toThrow(
      "follow.nextCheckAt",
    );
    expect(() => parseJob({ ...job, follow: { ...follow, reason: { code: 3 } } })).toThrow(
      "follow.reason.code",
    );
  });
});
