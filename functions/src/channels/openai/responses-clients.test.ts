/**
 * The Responses API as the popular frameworks call it, unchanged: the Vercel AI SDK's default OpenAI provider
 * model (`openai(model)` speaks Responses) with `generateText` and `streamText`, including its multi-turn
 * pattern (earlier answers sent back as item references) and a system prompt; and LangChain's `ChatOpenAI`
 * with `useResponsesApi`.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { ChatOpenAI } from "@langchain/openai";
import { generateText, streamText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { parseResponseId } from "./responses.js";
import { json, setUpAgents, vacationQuestion, type OpenAIFixture } from "./testing/fixture.js";

let platform: TestPlatform;
let agents: OpenAIFixture["agents"];

beforeAll(async () => {
  platform = await startTestPlatform();
  ({ agents } = await setUpAgents(platform));
});

afterAll(async () => {
  await platform?.close();
});

/** The stored answer a response id names, with the caller instructions it recorded. */
async function storedAnswer(responseId: string) {
  const { conversationId, messageId } = parseResponseId(responseId);
  const { messages } = await json<{
    messages: { id: string; role: string; content: string; callerInstructions?: string }[];
  }>(await platform.fetch(`/v1/conversations/${conversationId}/messages`));
  return { conversationId, messages, answer: messages.find((m) => m.id === messageId) };
}

describe("the Vercel AI SDK's default OpenAI provider (Responses API)", () => {
  /** The request bodies the SDK sent, to see what it really put on the wire. */
  const sent: { input?: { type?: string }[] }[] = [];
  const provider = () =>
    createOpenAI({
      apiKey: platform.keys.viewer,
      baseURL: `${platform.url}/v1`,
      fetch: (url, init) => {
        if (typeof init?.body === "string") sent.push(JSON.parse(init.body) as (typeof sent)[number]);
        return fetch(url, init);
      },
    });

  it("generateText answers with the agent's checked text; a system prompt becomes caller instructions", async () => {
    const result = await generateText({
      model: provider()(agents.hr),
      system: "Answer briefly.",
      prompt: vacationQuestion,
    });
    expect(result.text).toContain("25 vacation days");
    const responseId = result.providerMetadata?.openai?.responseId as string;
    const { answer } = await storedAnswer(responseId);
    expect(answer?.content).toBe(result.text);
    expect(answer?.callerInstructions).toBe("Answer briefly.");
  });

  it("continues a conversation the way the SDK does: the earlier answer sent back by reference", async () => {
    const first = await generateText({ model: provider()(agents.hr), prompt: vacationQuestion });
    const second = await generateText({
      model: provider()(agents.hr),
      messages: [
        { role: "user", content: vacationQuestion },
        ...first.response.messages,
        { role: "user", content: "How many unused days can be carried over?" },
      ],
    });
    expect(second.text).toContain("5 unused vacation days");
    expect(sent.at(-1)?.input?.map((item) => item.type ?? "message")).toContain("item_reference");
  });

  it("streamText streams the same checked answer", async () => {
    const result = streamText({ model: provider()(agents.hr), prompt: "Where do I submit expense claims?" });
    let streamed = "";
    for await (const delta of result.textStream) streamed += delta;
    expect(streamed).toContain("finance portal");
    const responseId = (await result.providerMetadata)?.openai?.responseId as string;
    expect((await storedAnswer(responseId)).answer?.content).toBe(streamed);
  });
});

describe("LangChain's ChatOpenAI with useResponsesApi", () => {
  const chat = () =>
    new ChatOpenAI({
      model: agents.hr,
      apiKey: platform.keys.viewer,
      configuration: { baseURL: `${platform.url}/v1` },
      useResponsesApi: true,
      maxRetries: 0,
    });

  it("invokes the agent and reads its answer", async () => {
    const message = await chat().invoke([
      ["system", "Answer briefly."],
      ["human", vacationQuestion],
    ]);
    expect(message.text).toContain("25 vacation days");
  });

  it("streams the agent's answer", async () => {
    let streamed = "";
    for await (const chunk of await chat().stream("Where do I submit expense claims?"))
      streamed += chunk.text;
    expect(streamed).toContain("finance portal");
  });
});
