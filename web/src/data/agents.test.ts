import { describe, expect, it } from "vitest";
import { hrAssistant } from "../test/fixtures";
import {
  draftChanges,
  draftFieldOfIssue,
  draftOf,
  estimateTokens,
  validateDraft,
  withChannel,
} from "./agents";
import { parseAgent } from "./rest/agents";

const saved = parseAgent(hrAssistant, "GET /v1/agents/agt_hr", "/v1/agents/agt_hr");

describe("the builder's draft", () => {
  it("changes nothing when the form was not edited", () => {
    expect(draftChanges(saved, draftOf(saved))).toEqual({});
  });

  it("sends a nested object whole when one of its fields changed, and nothing else", () => {
    const edited = { ...draftOf(saved), temperature: 0.7, name: "  Acme HR assistant  " };
    expect(draftChanges(saved, edited)).toEqual({
      model: { name: null, temperature: 0.7, maxOutputTokens: 800 },
    });
  });

  it("sends a blank model name as the platform default (null)", () => {
    const onModel = { ...saved, model: { ...saved.model, name: "gpt-4o-mini" } };
    expect(draftChanges(onModel, { ...draftOf(onModel), modelName: "   " })).toEqual({
      model: { name: null, temperature: 0.2, maxOutputTokens: 800 },
    });
  });

  it("sends channels only when the set changed, whatever order the platform kept them in", () => {
    const reordered = { ...saved, channels: ["studio", "callable", "api"] };
    const draft = draftOf(reordered);
    expect(draft.channels).toEqual(["api", "callable", "studio"]);
    expect(draftChanges(reordered, draft)).toEqual({});
    const offAndOn = withChannel(withChannel(draft.channels, "api", false), "api", true);
    expect(draftChanges(reordered, { ...draft, channels: offAndOn })).toEqual({});

    expect(
      draftChanges(reordered, { ...draft, channels: withChannel(draft.channels, "widget", true) }),
    ).toEqual({
      channels: ["api", "callable", "studio", "widget"],
    });
    expect(draftChanges(reordered, { ...draft, channels: [] })).toEqual({ channels: [] });
  });

  it("keeps a channel newer than the studio when another one is switched", () => {
    const onNewer = { ...saved, channels: ["sms", "api"] };
    expect(withChannel(draftOf(onNewer).channels, "mcp", true)).toEqual(["api", "mcp", "sms"]);
    expect(withChannel(["api", "sms"], "api", false)).toEqual(["sms"]);
  });

  it("refuses what the platform would refuse before sending it", () => {
    const draft = draftOf(saved);
    expect(validateDraft(draft)).toEqual({});
    expect(validateDraft({ ...draft, name: "   ", maxOutputTokens: "12" })).toEqual({
      name: "Give the agent a name.",
      maxOutputTokens: "A whole number from 16 to 16,384.",
    });
    expect(validateDraft({ ...draft, maxOutputTokens: "800.5" }).maxOutputTokens).toBeDefined();
  });

  it("maps the platform's validation paths to form fields", () => {
    expect(draftFieldOfIssue("model.maxOutputTokens")).toBe("maxOutputTokens");
    expect(draftFieldOfIssue("model.name")).toBe("modelName");
    expect(draftFieldOfIssue("guardrails.blockedTopics.3")).toBe("blockedTopics");
    expect(draftFieldOfIssue("knowledgeBaseIds.0")).toBe("knowledgeBaseIds");
    expect(draftFieldOfIssue("tools.0.url")).toBe("tools");
    expect(draftFieldOfIssue("maxToolSteps")).toBe("maxToolSteps");
    expect(draftFieldOfIssue("channels.4")).toBe("channels");
    expect(draftFieldOfIssue("status")).toBeUndefined();
  });

  it("estimates about four characters per token, rounding up", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("Be brief.")).toBe(3);
    expect(estimateTokens("x".repeat(4000))).toBe(1000);
  });
});
