import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { earlyResults, shorterAnswers, shorterAnswersResults } from "../../test/promptFixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { parseExperiment, parseExperimentResults, restExperiments } from "./experiments";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("experiments over REST", () => {
  it("lists one agent's experiments, and promotes a variant naming it", async () => {
    const platform = stubPlatform({
      "GET /v1/experiments": () => jsonResponse({ experiments: [shorterAnswers] }),
      "POST /v1/experiments/exp_short/promote": () =>
        jsonResponse({
          experiment: { ...shorterAnswers, status: "promoted", promotedVariantId: "b", promotedVersion: 3 },
          version: 3,
          replayed: false,
        }),
    });
    const list = await restExperiments.listExperiments({ agentId: "agt_hr" }, new AbortController().signal);
    const outcome = await restExperiments.promoteVariant("exp_short", "b");
    expect(list.map((e) => e.name)).toEqual(["Shorter answers"]);
    expect(platform.sent("GET /v1/experiments")[0]?.query.get("agentId")).toBe("agt_hr");
    expect(platform.sent("POST /v1/experiments/exp_short/promote")[0]?.body).toEqual({ variantId: "b" });
    expect(outcome.version).toBe(3);
    expect(outcome.experiment.status).toBe("promoted");
  });

  it("says why a start was refused, in the platform's words", async () => {
    stubPlatform({
      "POST /v1/experiments/exp_short/start": () =>
        errorResponse(
          409,
          "already-exists",
          "Experiment exp_other is already running on agent agt_hr: stop it first",
        ),
    });
    await expect(restExperiments.startExperiment("exp_short")).rejects.toThrow(
      "POST /v1/experiments/exp_short/start answered HTTP 409: Experiment exp_other is already running on agent agt_hr: stop it first",
    );
  });
});

describe("parsing experiments and their results", () => {
  it("reads variants with what each changes and the prompt pinned at the start", () => {
    const experiment = parseExperiment(shorterAnswers);
    expect(experiment.variants[1]).toEqual({
      id: "b",
      name: "Staging prompt",
      share: 0.5,
      overrides: { prompt: { templateId: "prm_hr", label: "staging" }, temperature: 0.1 },
      resolvedPrompt: { templateId: "prm_hr", version: 3, label: "staging" },
    });
    expect(experiment.metric).toBe("feedbackScore");
  });

  it("reads the figures and each comparison with its method, p-value and interval", () => {
    const results = parseExperimentResults(shorterAnswersResults);
    expect(results.winnerVariantId).toBe("b");
    expect(results.variants.map((v) => [v.name, v.turns, v.feedbackScore, v.latencyP95Ms])).toEqual([
      ["Control", 612, 0.62, 2100],
      ["Staging prompt", 628, 0.78, 1900],
    ]);
    const feedback = results.significance.find((s) => s.metric === "feedbackScore");
    expect(feedback).toMatchObject({
      method: expect.stringContaining("two-proportion z-test"),
      pValue: 0.0017,
      ci: [0.0612, 0.2613],
      significant: true,
    });
  });

  it("reads “not enough data” with its reason and no figures", () => {
    const results = parseExperimentResults(earlyResults);
    expect(results.significance.every((s) => !s.enoughData && s.pValue === null && s.ci === null)).toBe(true);
    expect(results.significance[0]?.reason).toMatch(/needs 30/);
  });

  it("refuses a winner that is not one of the variants, and a share above 1", () => {
    expect(() => parseExperimentResults({ ...shorterAnswersResults, winnerVariantId: "z" })).toThrow(
      "winnerVariantId",
    );
    expect(() =>
      parseExperiment({ ...shorterAnswers, variants: [{ ...shorterAnswers.variants[0], share: 1.5 }] }),
    ).toThrow(/^variants\[0\]\.share$/);
  });
});
