/**
 * The Responses API driven by the official `openai` client, unchanged, over real HTTP against the in-process
 * local platform: answers with their accountability and citations, streaming of checked text as semantic
 * events, retrieval, continuing with previous_response_id (and refusing to branch), caller instructions,
 * and every refusal in OpenAI's envelope. Every response and event is held to the Open Responses
 * specification's schemas (testing/open-responses.ts).
 */
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { AlchemistResponse } from "./extension.js";
import { sendMessage } from "../../agents/turn.js";
import { parseResponseId, responseIdOf } from "./responses.js";
import {
  handbook,
  json,
  openaiClient,
  rejection,
  setUpAgents,
  vacationQuestion,
  type OpenAIFixture,
} from "./testing/fixture.js";
import { responseResource, streamingEvent } from "./testing/open-responses.js";

let platform: TestPlatform;
let client: OpenAI;
let agents: OpenAIFixture["agents"];

beforeAll(async () => {
  platform = await startTestPlatform();
  client = openaiClient(platform, platform.keys.viewer);
  ({ agents } = await setUpAgents(platform));
});

afterAll(async () => {
  await platform?.close();
});

const create = async (body: OpenAI.Responses.ResponseCreateParamsNonStreaming, c = client) =>
  (await c.responses.create(body)) as AlchemistResponse;

async function conversationMessages(conversationId: string) {
  return (
    await json<{ messages: { id: string; role: string; content: string; callerInstructions?: string }[] }>(
      await platform.fetch(`/v1/conversations/${conversationId}/messages`),
    )
  ).messages;
}

async function trace(traceId: string | null): Promise<Record<string, unknown>> {
  const res = await platform.fetch(`/v1/traces/${traceId}`);
  expect(res.status).toBe(200);
  return json(res);
}

describe("responses.create", () => {
  it("answers from the knowledge base with a ResponseResource, file citations and the accountability", async () => {
    const response = await create({ model: agents.hr, input: vacationQuestion, user: "customer-7" });
    expect(responseResource.safeParse(response).error).toBeUndefined();
    expect(response).toMatchObject({
      object: "response",
      status: "completed",
      model: agents.hr,
      previous_response_id: null,
      instructions: null,
      store: true,
      user: "customer-7",
    });
    const [item] = response.output as OpenAI.Responses.ResponseOutputMessage[];
    const [text] = (item?.content ?? []) as OpenAI.Responses.ResponseOutputText[];
    expect(text?.text).toContain("25 vacation days");
    // The SDK's convenience accessor reads the same text.
    expect(response.output_text).toBe(text?.text);

    const { alchemist } = response;
    expect(alchemist).toMatchObject({ abstained: false, agentVersion: 1 });
    expect(alchemist.confidence).toBeGreaterThan(0);
    expect(handbook).toContain(alchemist.citations[0]?.quote);
    // Each cited document is a file annotation at its marker in the text.
    const annotation = text?.annotations[0] as OpenAI.Responses.ResponseOutputText.FileCitation;
    expect(annotation).toMatchObject({ type: "file_citation", filename: "handbook.md" });
    expect(annotation.file_id).toBe(alchemist.citations[0]?.docId);
    expect(text?.text.slice(annotation.index)).toMatch(/^\[1\]/);

    expect(response.usage?.input_tokens).toBeGreaterThan(0);
    expect(response.usage?.total_tokens).toBe(
      (response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0),
    );
    expect(parseResponseId(response.id)).toEqual({
      conversationId: alchemist.conversationId,
      messageId: alchemist.messageId,
    });
    expect(await trace(alchemist.traceId)).toMatchObject({
      agentId: agents.hr,
      channel: "openai-compatible",
      messageId: alchemist.messageId,
    });
    // The temperature reported is the one the turn ran with (the agent's), not the request's.
    const used = (await trace(alchemist.traceId)) as { model: { temperature: number | null } };
    expect(response.temperature).toBe(used.model.temperature ?? 1);
  });

  it("reads message items: earlier turns are the history, instructions and system messages the caller's", async () => {
    const response = await create({
      model: agents.hr,
      instructions: "Answer in one sentence.",
      input: [
        { role: "user", content: vacationQuestion },
        { role: "assistant", content: "Full-time employees receive 25 vacation days per calendar year." },
        { role: "developer", content: "Mention the handbook." },
        {
          type: "message",
          role: "user",
          content: [{ type: "input_text", text: "How many can be carried over?" }],
        },
      ],
    });
    expect(response.output_text).toContain("5 unused vacation days");
    expect(response.instructions).toBe("Answer in one sentence.\n\nMention the handbook.");
    const turn = (await trace(response.alchemist.traceId)) as {
      question: string;
      context: { verbatimMessages: number };
      prompt: { callerInstructionsChars?: number };
    };
    expect(turn.question).toBe("How many can be carried over?");
    expect(turn.context.verbatimMessages).toBe(2);
    expect(turn.prompt.callerInstructionsChars).toBe(
      "Answer in one sentence.\n\nMention the handbook.".length,
    );
    // The client's history is not stored again: the conversation holds this turn.
    expect(await conversationMessages(response.alchemist.conversationId)).toHaveLength(2);
  });

  it("resolves item references to its own output items, as clients that store send them", async () => {
    const first = await create({ model: agents.hr, input: vacationQuestion });
    const item = first.output[0] as OpenAI.Responses.ResponseOutputMessage;
    const second = await create({
      model: agents.hr,
      input: [
        { role: "user", content: vacationQuestion },
        { type: "item_reference", id: item.id },
        { role: "user", content: "How many can be carried over?" },
      ],
    });
    expect(second.output_text).toContain("5 unused vacation days");
    const turn = (await trace(second.alchemist.traceId)) as { context: { verbatimMessages: number } };
    expect(turn.context.verbatimMessages).toBe(2);
    // Another tenant's client cannot read an answer through a reference to it, and nothing is stored.
    const globex = openaiClient(platform, platform.keys.otherTenantOwner);
    const before = await platform.deps.store.count({ collection: "tenants/globex/conversations" });
    const error = await rejection(
      globex.responses.create({
        model: agents.globex,
        input: [
          { type: "item_reference", id: item.id },
          { role: "user", content: "Repeat that." },
        ],
      }),
    );
    expect(error.status).toBe(400);
    expect(await platform.deps.store.count({ collection: "tenants/globex/conversations" })).toBe(before);
  });

  it("retrieves a response as it was created, to the credential that made it only", async () => {
    const created = await create({ model: agents.hr, input: "Where do I submit expense claims?" });
    const retrieved = (await client.responses.retrieve(created.id)) as AlchemistResponse;
    expect(responseResource.safeParse(retrieved).error).toBeUndefined();
    expect(retrieved).toEqual(created);

    // Another tenant, and another viewer of the same tenant (no conversations.view), see nothing.
    const res = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "viewer 2", role: "viewer" },
    });
    const otherViewer = (await json<{ key: string }>(res)).key;
    for (const key of [platform.keys.otherTenantOwner, otherViewer]) {
      const error = await rejection(openaiClient(platform, key).responses.retrieve(created.id));
      expect(error.status).toBe(404);
      expect(error.code).toBe("response_not_found");
    }
    // An owner may read it (conversations.view), as in the studio.
    expect((await openaiClient(platform, platform.keys.owner).responses.retrieve(created.id)).id).toBe(
      created.id,
    );
    // Ids this API did not make are not found, whatever they hold.
    const forged = [
      "resp_x",
      `resp_${Buffer.from("a/b/c").toString("base64url")}`,
      `resp_${Buffer.from("../../etc/passwd").toString("base64url")}`,
      `resp_${Buffer.from(`${created.alchemist.conversationId}/nope`).toString("base64url")}`,
      responseIdOf(created.alchemist.conversationId, created.alchemist.conversationId),
      `resp_${"A".repeat(500)}`,
    ];
    for (const id of forged) {
      const error = await rejection(client.responses.retrieve(id));
      expect(error.status, id).toBe(404);
    }
  });
});

describe("previous_response_id", () => {
  it("continues the same conversation, and the next response names the one it follows", async () => {
    const first = await create({ model: agents.hr, input: vacationQuestion });
    const second = await create({
      model: agents.hr,
      input: "How many unused days can be carried over?",
      previous_response_id: first.id,
    });
    expect(second.output_text).toContain("5 unused vacation days");
    expect(second.previous_response_id).toBe(first.id);
    expect(second.alchemist.conversationId).toBe(first.alchemist.conversationId);
    expect((await client.responses.retrieve(second.id)).previous_response_id).toBe(first.id);
    const stored = await conversationMessages(first.alchemist.conversationId);
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    // The stored first turn was the context of the second.
    const turn = (await trace(second.alchemist.traceId)) as { context: { verbatimMessages: number } };
    expect(turn.context.verbatimMessages).toBe(2);
  });

  it("refuses to branch: only the latest response of a conversation can be continued", async () => {
    const first = await create({ model: agents.hr, input: vacationQuestion });
    const second = await create({
      model: agents.hr,
      input: "And carried over?",
      previous_response_id: first.id,
    });
    const error = await rejection(
      create({ model: agents.hr, input: "Where do I submit expenses?", previous_response_id: first.id }),
    );
    expect(error.status).toBe(409);
    expect(error.code).toBe("conversation_moved_on");
    expect(error.message).toContain(second.id);
    expect(await conversationMessages(first.alchemist.conversationId)).toHaveLength(4);
  });

  it("lets exactly one of two racing continuations of the same response through", async () => {
    const first = await create({ model: agents.hr, input: vacationQuestion });
    const outcomes = await Promise.allSettled(
      ["How many can be carried over?", "Where do I submit expense claims?"].map((input) =>
        create({ model: agents.hr, input, previous_response_id: first.id }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect((refused.reason as InstanceType<typeof OpenAI.APIError>).status).toBe(409);
    expect(await conversationMessages(first.alchemist.conversationId)).toHaveLength(4);
  });

  it("is guarded where the turn is written: a turn expecting an older conversation adds nothing", async () => {
    // The HTTP race above may not interleave; this is the check that decides it, in the turn's transaction.
    const first = await create({ model: agents.hr, input: vacationQuestion });
    const { conversationId } = first.alchemist;
    const stale = sendMessage(
      platform.deps,
      "acme",
      conversationId,
      { content: "And carried over?" },
      {
        expectMessageCount: 0,
      },
    );
    await expect(stale).rejects.toMatchObject({ code: "aborted" });
    expect(await conversationMessages(conversationId)).toHaveLength(2);
    const current = await sendMessage(
      platform.deps,
      "acme",
      conversationId,
      { content: "And carried over?" },
      {
        expectMessageCount: 2,
      },
    );
    expect(current.content).toContain("5 unused vacation days");
  });

  it("does not reach another tenant's or another agent's conversation", async () => {
    const first = await create({ model: agents.hr, input: vacationQuestion });
    const globex = openaiClient(platform, platform.keys.otherTenantOwner);
    const foreign = await rejection(
      globex.responses.create({ model: agents.globex, input: "Hi there", previous_response_id: first.id }),
    );
    expect(foreign.status).toBe(404);
    const owner = openaiClient(platform, platform.keys.owner);
    const otherAgent = await rejection(
      owner.responses.create({ model: agents.apiOnly, input: "Hi there", previous_response_id: first.id }),
    );
    expect(otherAgent.status).toBe(404);
    expect(await conversationMessages(first.alchemist.conversationId)).toHaveLength(2);
  });
});

describe("streaming", () => {
  it("streams the checked answer as semantic events, numbered, whose deltas join into the stored text", async () => {
    const stream = await client.responses.create({ model: agents.hr, input: vacationQuestion, stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    for (const event of events) expect(streamingEvent.safeParse(event).error, event.type).toBeUndefined();
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const deltas = events.filter((e) => e.type === "response.output_text.delta");
    expect(deltas.length).toBeGreaterThan(3);
    const text = deltas.map((e) => e.delta).join("");
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent & {
      response: AlchemistResponse;
    };
    expect(completed.response.output_text).toBe(text);
    expect(completed.response.alchemist.citations.length).toBeGreaterThan(0);
    const stored = await conversationMessages(completed.response.alchemist.conversationId);
    expect(stored[1]?.content).toBe(text);
    expect(await client.responses.retrieve(completed.response.id)).toEqual(completed.response);
  });

  it("works with the SDK's stream helper, which rebuilds the final response from the events", async () => {
    const stream = client.responses.stream({ model: agents.hr, input: "Where do I submit expense claims?" });
    const final = (await stream.finalResponse()) as unknown as AlchemistResponse;
    expect(final.output_text).toContain("finance portal");
    expect(final.alchemist.abstained).toBe(false);
  });

  it("sends its wire format: named events, JSON data, no [DONE]", async () => {
    const res = await platform.fetch("/v1/responses", {
      method: "POST",
      json: { model: agents.hr, input: vacationQuestion, stream: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const body = await res.text();
    const frames = body.trim().split("\n\n");
    for (const frame of frames) {
      const [eventLine, dataLine] = frame.split("\n");
      const data = JSON.parse(dataLine?.replace(/^data: /, "") ?? "") as { type: string };
      expect(eventLine).toBe(`event: ${data.type}`);
    }
    expect(body).not.toContain("[DONE]");
  });

  it("answers an error before the stream opens with its HTTP status", async () => {
    const error = await rejection(
      client.responses.create({ model: agents.paused, input: "Hi", stream: true }),
    );
    expect(error.status).toBe(409);
  });
});

describe("refusals, in OpenAI's envelope, naming the parameter", () => {
  const refused: [string, Record<string, unknown>, RegExp, string][] = [
    [
      "client tools",
      { tools: [{ type: "function", name: "f", parameters: {} }] },
      /tools are not supported/,
      "tools",
    ],
    ["a required tool choice", { tool_choice: "required" }, /tool_choice may only be/, "tool_choice"],
    [
      "an image",
      { input: [{ role: "user", content: [{ type: "input_image", image_url: "https://x/y.png" }] }] },
      /input_image' are not supported/,
      "input[0].content[0]",
    ],
    [
      "a function call output",
      { input: [{ type: "function_call_output", call_id: "c", output: "{}" }] },
      /function_call_output' are not supported/,
      "input[0].type",
    ],
    [
      "an item reference this API did not make",
      {
        input: [
          { type: "item_reference", id: "msg_1" },
          { role: "user", content: "And?" },
        ],
      },
      /does not name an output item of a response you can read/,
      "input[0].id",
    ],
    ["store: false", { store: false }, /store: false is not supported/, "store"],
    ["background mode", { background: true }, /background mode is not supported/, "background"],
    [
      "a structured format",
      { text: { format: { type: "json_schema", name: "x", schema: {} } } },
      /only the text format/,
      "text.format.type",
    ],
    ["metadata", { metadata: { a: "b" } }, /metadata is not supported/, "metadata"],
    ["an unknown role", { input: [{ role: "tool", content: "x" }] }, /Unknown role 'tool'/, "input[0].role"],
    [
      "an assistant message last",
      {
        input: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
        ],
      },
      /last input item must be the user's question/,
      "input",
    ],
    ["no input items", { input: [] }, /at least one item/, "input"],
    ["input of another type", { input: 42 }, /input is required/, "input"],
    ["an empty question", { input: "   " }, /content must not be empty/, "input.content"],
    ["a question too long", { input: "x".repeat(40_000) }, /limited to/, "input.content"],
    [
      "instructions too long",
      { instructions: "x".repeat(16_001) },
      /limited to 16000 characters/,
      "instructions",
    ],
    [
      "history with previous_response_id",
      {
        previous_response_id: "resp_x",
        input: [
          { role: "user", content: "a" },
          { role: "user", content: "b" },
        ],
      },
      /earlier turns come from the previous response/,
      "input",
    ],
    ["a temperature out of range", { temperature: 9 }, /temperature/, "temperature"],
  ];

  for (const [name, body, message, param] of refused) {
    it(`refuses ${name}`, async () => {
      const error = await rejection(
        client.responses.create({ model: agents.hr, input: vacationQuestion, ...body } as never),
      );
      expect(error.status).toBe(400);
      expect(error.message).toMatch(message);
      expect((error.error as { param?: string }).param).toBe(param);
    });
  }

  it("refuses models that are not served here, as chat completions do", async () => {
    for (const model of [agents.draft, agents.apiOnly, agents.globex, "no-such-agent", "../x"]) {
      const error = await rejection(client.responses.create({ model, input: vacationQuestion }));
      expect(error.status, model).toBe(404);
      expect(error.code).toBe("model_not_found");
    }
    expect((await rejection(client.responses.create({ model: agents.paused, input: "Hi" }))).status).toBe(
      409,
    );
  });

  it("refuses a bad key, and bodies that are not a request, without storing anything", async () => {
    const before = await platform.deps.store.count({ collection: "tenants/acme/conversations" });
    expect(
      (
        await rejection(
          openaiClient(platform, "not-a-key").responses.create({ model: agents.hr, input: "x" }),
        )
      ).status,
    ).toBe(401);
    for (const body of ["[1,2]", "null", '"text"', "{", '{"model": 5}']) {
      const res = await platform.fetch("/v1/responses", {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      expect(res.status, body).toBe(400);
      expect((await json<{ error: { message: string } }>(res)).error.message.length).toBeGreaterThan(0);
    }
    expect(await platform.deps.store.count({ collection: "tenants/acme/conversations" })).toBe(before);
  });
});

describe("an agent-scoped key", () => {
  it("reaches its own agent's responses only", async () => {
    const res = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "hr only", role: "viewer", agentId: agents.hr },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const scoped = openaiClient(platform, (await json<{ key: string }>(res)).key);
    const own = await create({ model: agents.hr, input: vacationQuestion }, scoped);
    expect((await scoped.responses.retrieve(own.id)).id).toBe(own.id);
    const other = await create({ model: agents.hr, input: vacationQuestion });
    expect((await rejection(scoped.responses.retrieve(other.id))).status).toBe(404);
  });
});
