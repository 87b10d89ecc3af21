import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { offeredAgentOptions as offered } from "../../test/fixtures";
import { errorResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { unlistedAgentOptions } from "../agentOptions";
import { parseAgentOptions, restAgents } from "./agents";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const signal = () => new AbortController().signal;

describe("agent options over REST", () => {
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
    expect(await restAgents.getAgentOptions(signal())).toBe(unlistedAgentOptions);
    stubPlatform({ "GET /v1/agent-options": () => errorResponse(503, "unavailable", "Try again") });
    await expect(restAgents.getAgentOptions(signal())).rejects.toMatchObject({ status: 503 });
  });
});
