import { describe, expect, it } from "vitest";
import { hrAssistant, offeredAgentOptions as offered } from "../test/fixtures";
import { toolHostAllowed } from "./agentOptions";
import { draftFieldOfIssue, draftOf, validateDraft } from "./agents";
import { parseAgent, parseAgentOptions } from "./rest/agents";

describe("agent options", () => {
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
