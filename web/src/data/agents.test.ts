import { describe, expect, it } from "vitest";
import { hrAssistant, hrVersions } from "../test/fixtures";
import { compareConfigs, lineDiff } from "./agentDiff";
import {
  draftChanges,
  draftFieldOfIssue,
  draftOf,
  estimateTokens,
  parseAgent,
  validateDraft,
  type AgentConfig,
} from "./agents";

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
    expect(draftFieldOfIssue("channels.0")).toBeUndefined();
  });

  it("estimates about four characters per token, rounding up", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("Be brief.")).toBe(3);
    expect(estimateTokens("x".repeat(4000))).toBe(1000);
  });
});

describe("comparing versions", () => {
  const [v2, v1] = hrVersions.map((v) => v.config as unknown as AgentConfig);

  it("marks only the fields that differ, and knowledge bases regardless of order", () => {
    const reordered = { ...v2!, knowledgeBaseIds: ["kb_it", "kb_handbook"] };
    const withBoth = { ...v2!, knowledgeBaseIds: ["kb_handbook", "kb_it"] };
    const fields = compareConfigs(withBoth, reordered, (id) => (id === "kb_it" ? "IT security FAQ" : id));
    expect(fields.filter((f) => f.changed)).toEqual([]);
    expect(fields.find((f) => f.key === "knowledgeBaseIds")?.after).toBe("IT security FAQ, kb_handbook");

    expect(
      compareConfigs(v1!, v2!)
        .filter((f) => f.changed)
        .map((f) => f.label),
    ).toEqual(["Instructions", "Blocked topics", "Confidence threshold"]);
  });

  it("diffs instructions line by line", () => {
    expect(
      lineDiff(
        "Be brief.\nQuote the handbook.\nSay when you do not know.",
        "Be brief.\nSay when you do not know.\nNever guess.",
      ),
    ).toEqual([
      { kind: "same", text: "Be brief." },
      { kind: "removed", text: "Quote the handbook." },
      { kind: "same", text: "Say when you do not know." },
      { kind: "added", text: "Never guess." },
    ]);
    expect(lineDiff("same", "same")).toEqual([{ kind: "same", text: "same" }]);
  });
});
