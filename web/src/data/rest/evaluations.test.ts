import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  comparison,
  draftRun,
  goldenItems,
  hrGoldenSet,
  versionTwoResults,
  versionTwoRun,
} from "../../test/evaluationFixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { uploadRefusalOf } from "../evaluations";
import { PlatformRequestError } from "../platform";
import { parseComparison, parseItem, parseRun, restEvaluations } from "./evaluations";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const signal = () => new AbortController().signal;

describe("evaluations over REST", () => {
  it("reads a dataset's items page by page until the last", async () => {
    const platform = stubPlatform({
      "GET /v1/eval/datasets/ds_golden/items": (request) =>
        request.query.get("cursor") === null
          ? jsonResponse({ items: goldenItems.slice(0, 2), nextCursor: "1" })
          : jsonResponse({ items: goldenItems.slice(2), nextCursor: null }),
    });
    const items = await restEvaluations.listEvalItems("ds_golden", signal());
    expect(items.map((i) => i.id)).toEqual(["itm_vacation", "itm_meals", "itm_salary"]);
    expect(platform.sent("GET /v1/eval/datasets/ds_golden/items").map((r) => r.query.toString())).toEqual([
      "limit=500",
      "limit=500&cursor=1",
    ]);
  });

  it("starts a run with the target the platform takes, and adds an item from a trace", async () => {
    const platform = stubPlatform({
      "POST /v1/eval/runs": () => jsonResponse({ ...draftRun, replayed: false }, 202),
      "POST /v1/eval/datasets/ds_golden/from-trace": () =>
        jsonResponse(
          {
            ...goldenItems[1],
            id: "itm_new",
            origin: { kind: "trace", traceId: "trc_1", conversationId: "cnv_1" },
          },
          201,
        ),
    });
    const run = await restEvaluations.startEvalRun({
      datasetId: "ds_golden",
      agentId: "agt_hr",
      version: "draft",
    });
    const item = await restEvaluations.addEvalItemFromTrace("ds_golden", "trc_1");
    expect(platform.sent("POST /v1/eval/runs")[0]?.body).toEqual({
      datasetId: "ds_golden",
      target: { agentId: "agt_hr", version: "draft" },
    });
    expect(run).toMatchObject({
      status: "running",
      version: "draft",
      progress: { done: 1, total: 3, errors: 0 },
    });
    expect(platform.sent("POST /v1/eval/datasets/ds_golden/from-trace")[0]?.body).toEqual({
      traceId: "trc_1",
    });
    expect(item.origin).toEqual({ kind: "trace", traceId: "trc_1", conversationId: "cnv_1" });
  });

  it("sends an upload as JSON, and keeps each refused line when it is refused", async () => {
    const platform = stubPlatform({
      "POST /v1/eval/datasets/ds_golden/upload": () =>
        errorResponse(
          400,
          "invalid-argument",
          "The CSV file has 2 problem(s); nothing was added. First: line 3, question: question must not be empty",
          {
            errors: [
              { line: 3, field: "question", message: "question must not be empty" },
              { line: 7, field: null, message: "the line has 9 columns; the header has 6" },
            ],
            errorCount: 2,
          },
        ),
    });
    const error = await restEvaluations
      .uploadEvalItems("ds_golden", "csv", "question\n")
      .catch((e: unknown) => e);
    expect(platform.sent("POST /v1/eval/datasets/ds_golden/upload")[0]?.body).toEqual({
      format: "csv",
      content: "question\n",
    });
    expect(uploadRefusalOf(error as PlatformRequestError)).toEqual({
      errors: [
        { line: 3, field: "question", message: "question must not be empty" },
        { line: 7, field: null, message: "the line has 9 columns; the header has 6" },
      ],
      errorCount: 2,
    });
    expect(uploadRefusalOf(new PlatformRequestError("network", "/x", "no response"))).toBeUndefined();
  });

  it("reads every result of a run, and compares two runs asking for every item", async () => {
    const platform = stubPlatform({
      "GET /v1/eval/runs/run_v2/results": () =>
        jsonResponse({ results: versionTwoResults, nextCursor: null }),
      "GET /v1/eval/runs/run_v2/compare/run_draft": () => jsonResponse(comparison),
    });
    const results = await restEvaluations.listEvalResults("run_v2", signal());
    const compared = await restEvaluations.compareEvalRuns("run_v2", "run_draft", signal());
    expect(results.map((r) => [r.itemId, r.score?.correct, r.traceId])).toEqual([
      ["itm_vacation", true, "trc_eval_1"],
      ["itm_meals", false, "trc_eval_2"],
      ["itm_salary", true, "trc_eval_3"],
    ]);
    expect(results[0]?.citations).toEqual([
      { ref: "1", docName: "Employee handbook.pdf", quote: "25 days of paid annual leave", supported: true },
    ]);
    expect(platform.sent("GET /v1/eval/runs/run_v2/compare/run_draft")[0]?.query.get("limit")).toBe("2000");
    expect(compared.counts).toEqual({ better: 1, worse: 0, same: 2, "only-base": 0, "only-other": 0 });
  });
});

describe("parsing evaluations", () => {
  it("reads a run's scores, flattening what the platform nests", () => {
    const run = parseRun(versionTwoRun);
    expect(run.scores).toMatchObject({
      accuracy: 0.6667,
      abstentionPrecision: 1,
      abstentionRecall: 1,
      latencyP50Ms: 420,
      latencyP95Ms: 910,
      tokensIn: 3100,
      tokensOut: 240,
      judge: "rules",
    });
    expect(run.version).toBe(2);
  });

  it("names the field it cannot read", () => {
    expect(() => parseRun({ ...versionTwoRun, status: "paused" })).toThrow(/^status$/);
    expect(() => parseItem({ ...goldenItems[0], origin: { kind: "psychic" } })).toThrow(/^origin\.kind$/);
    expect(() =>
      parseComparison({ ...comparison, items: [{ ...comparison.items[0], change: "sideways" }] }),
    ).toThrow("items[0].change");
  });

  it("reports a dataset answer that is not one, naming the request", async () => {
    stubPlatform({
      "GET /v1/eval/datasets/ds_golden": () => jsonResponse({ ...hrGoldenSet, itemCount: -1 }),
    });
    await expect(restEvaluations.getEvalDataset("ds_golden", signal())).rejects.toThrow(
      "GET /v1/eval/datasets/ds_golden answered with something that is not a dataset (itemCount).",
    );
  });
});
