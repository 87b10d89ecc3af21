/**
 * The OpenAI-compatible API driven by the official `openai` npm client, unchanged, over real HTTP against
 * the in-process local platform: models, answers with their accountability, streaming of checked text,
 * history, and errors in OpenAI's envelope.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { wordChunks, type AlchemistAnswer } from "./compat.js";
import {
  handbook,
  json,
  openaiClient as fixtureClient,
  rejection,
  setUpAgents,
  vacationQuestion,
  type OpenAIFixture,
} from "./testing/fixture.js";

let platform: TestPlatform;
let client: OpenAI;

let agents: OpenAIFixture["agents"];
let kbId = "";

const openaiClient = (apiKey: string, fetchImpl?: typeof fetch): OpenAI =>
  fixtureClient(platform, apiKey, fetchImpl);

/** The assistant message the engine stored for an answer: what a client's text must equal. */
async function storedAnswer(alchemist: AlchemistAnswer): Promise<{ content: string; role: string }> {
  const { messages } = await json<{ messages: { id: string; role: string; content: string }[] }>(
    await platform.fetch(`/v1/conversations/${alchemist.conversationId}/messages`),
  );
  const stored = messages.find((m) => m.id === alchemist.messageId);
  if (!stored) throw new Error(`message ${alchemist.messageId} was not stored`);
  return stored;
}

async function trace(traceId: string | null): Promise<Record<string, unknown>> {
  const res = await platform.fetch(`/v1/traces/${traceId}`);
  expect(res.status).toBe(200);
  return json(res);
}

beforeAll(async () => {
  platform = await startTestPlatform();
  client = openaiClient(platform.keys.viewer);

  ({ kbId, agents } = await setUpAgents(platform));
});

afterAll(async () => {
  await platform?.close();
});

describe("models", () => {
  it("lists the tenant's published agents enabled on the channel, dated by their publication", async () => {
    const { data } = await client.models.list();
    expect(data.map((m) => m.id)).toEqual([agents.hr]);

    const { versions } = await json<{ versions: { version: number; publishedAt: string }[] }>(
      await platform.fetch(`/v1/agents/${agents.hr}/versions`),
    );
    expect(data[0]).toMatchObject({
      id: agents.hr,
      object: "model",
      owned_by: "acme",
      created: Math.floor(Date.parse(versions[0]?.publishedAt ?? "") / 1000),
      alchemist: { name: "HR assistant", description: "Answers from the handbook", version: 1 },
    });
  });

  it("lists another tenant's agents only to that tenant", async () => {
    const { data } = await openaiClient(platform.keys.otherTenantOwner).models.list();
    expect(data.map((m) => m.id)).toEqual([agents.globex]);
    expect(data[0]?.owned_by).toBe("globex");
  });

  it("retrieves one model, and answers 404 for an agent that is not served", async () => {
    expect(await client.models.retrieve(agents.hr)).toMatchObject({ id: agents.hr, owned_by: "acme" });
    const error = await rejection(client.models.retrieve(agents.draft));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe("model_not_found");
  });
});

describe("chat completions", () => {
  it("answers from the knowledge base with OpenAI's completion and the answer's accountability", async () => {
    const completion = (await client.chat.completions.create({
      model: agents.hr,
      messages: [{ role: "user", content: vacationQuestion }],
      user: "customer-42",
    })) as OpenAI.ChatCompletion & { alchemist: AlchemistAnswer };

    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe(agents.hr);
    const [choice] = completion.choices;
    expect(choice).toMatchObject({ index: 0, finish_reason: "stop", message: { role: "assistant" } });
    expect(choice?.message.content).toContain("25 vacation days");
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );

    const { alchemist } = completion;
    expect(alchemist).toMatchObject({ abstained: false, agentVersion: 1 });
    expect(alchemist.confidence).toBeGreaterThan(0);
    expect(alchemist.citations[0]).toMatchObject({ kbId, docName: "handbook.md" });
    expect(handbook).toContain(alchemist.citations[0]?.quote);
    expect(completion.id).toBe(`chatcmpl-${alchemist.traceId}`);
    expect((await storedAnswer(alchemist)).content).toBe(choice?.message.content);

    expect(await trace(alchemist.traceId)).toMatchObject({
      conversationId: alchemist.conversationId,
      messageId: alchemist.messageId,
      agentId: agents.hr,
      channel: "openai-compatible",
      abstained: false,
    });
    const conversation = await json<Record<string, unknown>>(
      await platform.fetch(`/v1/conversations/${alchemist.conversationId}`),
    );
    expect(conversation).toMatchObject({
      agentId: agents.hr,
      channel: "openai-compatible",
      endUserRef: "customer-42",
    });
  });

  it("takes the client's earlier messages as the history and its system messages as caller instructions", async () => {
    const first = (await client.chat.completions.create({
      model: agents.hr,
      messages: [{ role: "user", content: vacationQuestion }],
    })) as OpenAI.ChatCompletion & { alchemist: AlchemistAnswer };
    const followUp = (await client.chat.completions.create({
      model: agents.hr,
      messages: [
        { role: "system", content: "Answer in one sentence." },
        { role: "user", content: vacationQuestion },
        { role: "assistant", content: first.choices[0]?.message.content ?? "" },
        { role: "developer", content: [{ type: "text", text: "Mention the handbook." }] },
        { role: "user", content: [{ type: "text", text: "How many unused days can be carried over?" }] },
      ],
    })) as OpenAI.ChatCompletion & { alchemist: AlchemistAnswer };

    expect(followUp.choices[0]?.message.content).toContain("5 unused vacation days");
    const turn = await trace(followUp.alchemist.traceId);
    expect(turn.question).toBe("How many unused days can be carried over?");
    // The user and assistant messages reached the model as history; the system and developer messages did
    // not: they are the caller's instructions, under the agent's own (their effect is in engine tests).
    expect(turn.context).toMatchObject({ verbatimMessages: 2 });
    const instructions = "Answer in one sentence.\n\nMention the handbook.";
    expect(turn.prompt).toMatchObject({ callerInstructionsChars: instructions.length });
    // A completion is a conversation of its own: the history is the client's, not stored again.
    const { messages } = await json<{ messages: { role: string; callerInstructions?: string }[] }>(
      await platform.fetch(`/v1/conversations/${followUp.alchemist.conversationId}/messages`),
    );
    expect(messages).toHaveLength(2);
    expect(messages[1]?.callerInstructions).toBe(instructions);
  });

  it("refuses caller instructions too long to send with every turn, naming the limit", async () => {
    const error = await rejection(
      client.chat.completions.create({
        model: agents.hr,
        messages: [
          { role: "system", content: "x".repeat(16_001) },
          { role: "user", content: vacationQuestion },
        ],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/limited to 16000 characters/);
  });
});

describe("streaming", () => {
  it("streams the checked answer word by word; the chunks join into exactly the stored message", async () => {
    const stream = await client.chat.completions.create({
      model: agents.hr,
      messages: [{ role: "user", content: "Where do I submit expense claims?" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: (OpenAI.ChatCompletionChunk & { alchemist?: AlchemistAnswer })[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
    expect(contentChunks.length).toBeGreaterThan(5);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === agents.hr)).toBe(true);

    const finish = chunks.find((c) => c.choices[0]?.finish_reason === "stop");
    const alchemist = finish?.alchemist as AlchemistAnswer;
    expect(alchemist).toMatchObject({ abstained: false });
    expect(alchemist.citations.length).toBeGreaterThan(0);
    expect(text).toContain("finance portal");
    expect(text).toBe((await storedAnswer(alchemist)).content);

    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("streams an abstention as the checked message, not the model's raw words", async () => {
    const stream = await client.chat.completions.create({
      model: agents.hr,
      messages: [{ role: "user", content: "What is the boiling point of tungsten?" }],
      stream: true,
    });
    const chunks: (OpenAI.ChatCompletionChunk & { alchemist?: AlchemistAnswer })[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const alchemist = chunks.find((c) => c.alchemist)?.alchemist as AlchemistAnswer;

    expect(alchemist.abstained).toBe(true);
    expect(text).toBe((await storedAnswer(alchemist)).content);
    const raw = (await trace(alchemist.traceId)).generation as { rawContent: string };
    expect(raw.rawContent).not.toBe("");
    expect(text).not.toBe(raw.rawContent);
    // Without stream_options.include_usage there is no usage chunk.
    expect(chunks.some((c) => c.usage)).toBe(false);
  });

  it("works with the SDK's stream helper, which rebuilds the completion from the chunks", async () => {
    const completion = await client.chat.completions
      .stream({ model: agents.hr, messages: [{ role: "user", content: vacationQuestion }] })
      .finalChatCompletion();
    // The helper keeps top-level fields it does not know, so our field survives the rebuild.
    const alchemist = (completion as unknown as { alchemist: AlchemistAnswer }).alchemist;
    expect(alchemist).toMatchObject({ abstained: false, agentVersion: 1 });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.choices[0]?.message.content).toContain("25 vacation days");
    expect(completion.choices[0]?.message.content).toBe((await storedAnswer(alchemist)).content);
  });

  it("speaks OpenAI's wire format: data-only events ending with [DONE]", async () => {
    const res = await platform.fetch("/v1/chat/completions", {
      method: "POST",
      json: { model: agents.hr, messages: [{ role: "user", content: vacationQuestion }], stream: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const frames = (await res.text()).split("\n\n").filter((f) => f.length > 0);
    expect(frames.every((f) => f.startsWith("data: ") && !f.includes("\nevent:"))).toBe(true);
    expect(frames.at(-1)).toBe("data: [DONE]");
    expect(frames.filter((f) => f === "data: [DONE]")).toHaveLength(1);
  });

  it("cuts content into pieces that join back exactly", () => {
    for (const content of ["", "one", " Lead and  double  spaces\nnew line [1]. ", "a\n\nb"]) {
      expect(wordChunks(content).join("")).toBe(content);
    }
    expect(wordChunks("Submit claims [1]. Attach receipts.")).toEqual([
      "Submit ",
      "claims ",
      "[1]. ",
      "Attach ",
      "receipts.",
    ]);
  });
});

describe("errors in OpenAI's envelope", () => {
  const ask = (
    model: string,
    messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Hi" }],
  ) => client.chat.completions.create({ model, messages });

  it("answers 404 model_not_found for an unknown model and, identically, for another tenant's agent", async () => {
    const unknown = await rejection(ask("no-such-agent"));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.status).toBe(404);
    expect(unknown).toMatchObject({ code: "model_not_found", param: "model", type: "invalid_request_error" });
    expect(unknown.message).toContain("'no-such-agent' does not exist");
    expect(unknown.message).toContain("GET /v1/models");

    const foreign = await rejection(ask(agents.globex));
    expect(foreign).toBeInstanceOf(OpenAI.NotFoundError);
    expect(foreign.message.replace(agents.globex, "X")).toBe(unknown.message.replace("no-such-agent", "X"));

    expect((await rejection(ask("gpt-4.1"))).status).toBe(404);
  });

  it("answers 404 for the tenant's agents that are not served here, saying why", async () => {
    const draft = await rejection(ask(agents.draft));
    expect(draft).toBeInstanceOf(OpenAI.NotFoundError);
    expect(draft.message).toContain("not been published");
    const apiOnly = await rejection(ask(agents.apiOnly));
    expect(apiOnly).toBeInstanceOf(OpenAI.NotFoundError);
    expect(apiOnly.message).toContain("not enabled on the openai-compatible channel");
  });

  it("answers 409 for a paused agent, and tells the client not to retry", async () => {
    let requests = 0;
    const counting: typeof fetch = (input, init) => {
      requests++;
      return fetch(input, init);
    };
    const error = await rejection(
      openaiClient(platform.keys.viewer, counting).chat.completions.create({
        model: agents.paused,
        messages: [{ role: "user", content: vacationQuestion }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.ConflictError);
    expect(error).toMatchObject({ status: 409, code: "model_paused" });
    expect(error.message).toContain("resume it");
    expect(requests).toBe(1);
  });

  it("answers 400 for messages an agent cannot take, naming the parameter", async () => {
    const cases: [OpenAI.ChatCompletionMessageParam[], string, RegExp][] = [
      [[], "messages", /at least one message/],
      [
        [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
        ],
        "messages",
        /last message must be/,
      ],
      [
        [
          { role: "user", content: "Hi" },
          { role: "tool", content: "42", tool_call_id: "call_1" },
          { role: "user", content: "And?" },
        ],
        "messages[1].role",
        /role 'tool' are not supported/,
      ],
      [
        [
          {
            role: "user",
            content: [
              { type: "text", text: "What is on this receipt?" },
              { type: "image_url", image_url: { url: "https://example.com/receipt.png" } },
            ],
          },
        ],
        "messages[0].content[1]",
        /Only text content parts are supported \(got 'image_url'\)/,
      ],
      [[{ role: "user", content: "   " }], "messages[0].content", /must not be empty/],
    ];
    for (const [messages, param, message] of cases) {
      const error = await rejection(ask(agents.hr, messages));
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, param, type: "invalid_request_error" });
      expect(error.message).toMatch(message);
    }
    const n = await rejection(
      client.chat.completions.create({ model: agents.hr, n: 2, messages: [{ role: "user", content: "Hi" }] }),
    );
    expect(n).toMatchObject({ status: 400, param: "n" });
  });

  it("sends the envelope as OpenAI does, with message, type, param and code", async () => {
    const res = await platform.fetch("/v1/chat/completions", {
      method: "POST",
      json: { messages: [{ role: "user", content: "Hi" }] },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message: expect.stringContaining("model is required") as string,
        type: "invalid_request_error",
        param: "model",
        code: "invalid_value",
      },
    });
  });

  it("rejects a bad API key with 401", async () => {
    const error = await rejection(openaiClient("not-a-key").models.list());
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.message).toContain("Invalid API key");
    const chat = await rejection(
      openaiClient("not-a-key").chat.completions.create({ model: agents.hr, messages: [] }),
    );
    expect(chat).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
