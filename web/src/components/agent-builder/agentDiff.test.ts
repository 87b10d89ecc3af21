import { describe, expect, it } from "vitest";
import type { AgentConfig } from "../../data/agents";
import { hrVersions } from "../../test/fixtures";
import { compareConfigs, lineDiff } from "./agentDiff";

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

  it("lists channel changes by name, and none when only their order differs", () => {
    const published = { ...v2!, channels: ["api", "studio", "mcp"] };
    const draft = { ...v2!, channels: ["whatsapp", "api", "widget"] };
    const channels = compareConfigs(published, draft).find((f) => f.key === "channels");
    expect(channels).toMatchObject({
      label: "Channels",
      changed: true,
      before: "REST API, Studio playground, MCP",
      after: "REST API, WhatsApp, Web chat widget",
      summary: "Adds WhatsApp, Web chat widget. Removes Studio playground, MCP.",
    });

    const none = compareConfigs(published, { ...v2!, channels: [] }).find((f) => f.key === "channels");
    expect(none).toMatchObject({ after: "None", summary: "Removes REST API, Studio playground, MCP." });

    const reordered = compareConfigs(published, { ...v2!, channels: ["mcp", "api", "studio"] });
    expect(reordered.find((f) => f.key === "channels")).toMatchObject({ changed: false });
    expect(reordered.find((f) => f.key === "channels")).not.toHaveProperty("summary");
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
