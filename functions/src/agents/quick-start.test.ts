/**
 * The README's quick start and the studio's "Get started" card, as a new user runs them: the demo handbook
 * uploaded as handbook.md into a new knowledge base, an agent created with nothing but a name and that base
 * (every other setting its default), and the question each of them suggests. Both must be answered, with a
 * citation, not abstained on.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { publishedAgentOver } from "./testing/answer-eval.js";
import { startConversation } from "./conversations.js";
import { sendMessage } from "./turn.js";

let platform: TestPlatform;
let agentId = "";

beforeAll(async () => {
  platform = await startTestPlatform();
  const bytes = await readFile(
    new URL("../../../emulator-data/seed/handbook/employee-handbook.md", import.meta.url),
  );
  ({ agentId } = await publishedAgentOver(platform, [{ name: "handbook.md", bytes }], {
    knowledgeBase: "Handbook",
    agent: "HR",
  }));
}, 120_000);

afterAll(async () => {
  await platform?.close();
});

describe("the quick-start questions, asked of a new agent with default settings", () => {
  it.each([
    ["the README", "How many vacation days do I get?"],
    ["the studio's Get started card", "How many vacation days do full-time employees get?"],
  ])("answers %s's question from the handbook", async (_, question) => {
    const { id } = await startConversation(platform.deps, "acme", agentId, { channel: "api" });
    const message = await sendMessage(platform.deps, "acme", id, { content: question });
    expect(message.abstained, message.explanation ?? "").toBe(false);
    expect(message.content).toContain("Full-time employees receive 25 vacation days per calendar year.");
    expect(message.citations[0]?.docName).toBe("handbook.md");
  });
});
