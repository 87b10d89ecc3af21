import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, stubPlatform } from "../test/platformFetch";
import { signInAs } from "../test/session";
import { parseAgentOptions, toolHostAllowed, unlistedAgentOptions } from "./agentOptions";
import { draftFieldOfIssue, draftOf, parseAgent, validateDraft } from "./agents";
import { restSource } from "./restSource";
import { hrAssistant } from "../test/fixtures";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const offered = {
  models: {
    default: { model: "gpt-4o-mini", label: "gpt-4o-mini via api.openai.com", provider: "openai-compatible" },
    allowed: ["gpt-4o-mini", "gpt-4o"],
  },
  maxOutputTokens: { min: 16, max: 2000, default: 800 },
  contextBudgetTokens: { min: 1000, max: 16_000, default: 8000 },
  toolHosts: ["api.example.com", "*.partner.test"],
};
const signal = () => new AbortController().signal;

describe("agent options", () => {
  it("reads what the platform offers, and refuses an answer of another shape", () => {
    expect(parseAgentOptions(offered)).toMatchObject({
      models: { allowed: ["gpt-4o-mini", "gpt-4o"] },
      maxOutputTokens: { max: 2000 },
      toolHosts: ["api.example.com", "*.partner.test"],
    });
    expect(() => parseAgentOptions({ ...offered, maxOutputTokens: { min: 16 } })).toThrow(
      /GET \/v1\/agent-options answered with something that is not the options agents may be configured with \(max\)/,
    );
    expect(() => parseAgentOptions({ ...offered, toolHosts: "any" })).toThrow(/toolHosts/);
  });

  it("falls back to the schema's own limits on a platform without the route, and reports other failures", async () => {
    stubPlatform({
      "GET /v1/agent-options": () => errorResponse(404, "not-found", "No route for GET /v1/agent-options"),
    });
    expect(await restSource.getAgentOptions(signal())).toBe(unlistedAgentOptions);
    stubPlatform({ "GET /v1/agent-options": () => errorResponse(503, "unavailable", "Try again") });
    await expect(restSource.getAgentOptions(signal())).rejects.toMatchObject({ status: 503 });
  });

  it("matches tool hosts as the platform does", () => {
    const hosts = offered.toolHosts;
    expect(toolHostAllowed("api.example.com", hosts)).toBe(true);
    expect(toolHostAllowed("API.example.com.", hosts)).toBe(true);
    expect(toolHostAllowed("ledger.partner.test", hosts)).toBe(true);
    expect(toolHostAllowed("partner.test", hosts)).toBe(false);
    expect(toolHostAllowed("evilpartner.test", hosts)).toBe(false);
    expect(toolHostAllowed("anything.example", null)).toBe(true);
  });

  it("bound the builder's draft: models offered, output and context within the caps", () => {
    const options = parseAgentOptions(offered);
    const draft = draftOf(parseAgent(hrAssistant, "GET /v1/agents/agt_hr", "/v1/agents/agt_hr"));
    expect(validateDraft(draft, options)).toEqual({});
    expect(
      validateDraft(
        { ...draft, modelName: "gpt-5", maxOutputTokens: "4096", contextBudgetTokens: 64_000 },
        options,
      ),
    ).toEqual({
      modelName: "This platform does not offer this model: pick one it offers, or its default.",
      maxOutputTokens: "A whole number from 16 to 2,000.",
      contextBudgetTokens: "At most 16,000 tokens on this platform.",
    });
    // A platform that does not list its options: any name, the schema's limits.
    expect(
      validateDraft({ ...draft, modelName: "gpt-5", maxOutputTokens: "4096", contextBudgetTokens: 64_000 }),
    ).toEqual({});
    expect(draftFieldOfIssue("contextBudgetTokens")).toBe("contextBudgetTokens");
  });
});
