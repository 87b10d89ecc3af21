import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, itHelpdesk, offeredAgentOptions as offered } from "../../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
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

describe("the publish gate over REST", () => {
  it("reads an agent's gate (none from a platform that does not send it), and refuses a malformed one", async () => {
    const gate = { enabled: true, datasetId: "ds_golden", maxDrop: 0.05, timeoutSeconds: 90 };
    stubPlatform({
      "GET /v1/agents/agt_hr": () => jsonResponse({ ...hrAssistant, publishGate: gate }),
      "GET /v1/agents/agt_it": () => jsonResponse(itHelpdesk),
      "GET /v1/agents/agt_bad": () =>
        jsonResponse({ ...hrAssistant, id: "agt_bad", publishGate: { ...gate, maxDrop: 5 } }),
    });
    expect((await restAgents.getAgent("agt_hr", signal())).publishGate).toEqual(gate);
    expect((await restAgents.getAgent("agt_it", signal())).publishGate).toBeNull();
    await expect(restAgents.getAgent("agt_bad", signal())).rejects.toThrow(/publishGate.*maxDrop|maxDrop/);
  });

  it("sets and removes it, answering the gate as stored", async () => {
    const platform = stubPlatform({
      "PUT /v1/agents/agt_hr/publish-gate": (request) => jsonResponse({ publishGate: request.body }),
      "DELETE /v1/agents/agt_hr/publish-gate": () => new Response(null, { status: 204 }),
    });
    const gate = { enabled: false, datasetId: "ds_golden", maxDrop: 0, timeoutSeconds: 240 };
    expect(await restAgents.setPublishGate("agt_hr", gate)).toEqual(gate);
    await restAgents.removePublishGate("agt_hr");
    expect(platform.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "PUT /v1/agents/agt_hr/publish-gate",
      "DELETE /v1/agents/agt_hr/publish-gate",
    ]);
  });
});
