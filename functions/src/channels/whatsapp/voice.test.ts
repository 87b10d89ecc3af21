/**
 * WhatsApp voice notes with a speech model configured (TRANSCRIPTION_MODEL over an OpenAI-compatible API, here
 * the fake OpenAI server, whose "transcription" of a file is its bytes read as text): the note is fetched from
 * the Graph API, heard, and answered as the words said, which the reply repeats; a note that cannot be heard
 * is said so, not retried.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { startFakeOpenAIServer, type FakeOpenAIServer } from "../../platform/testing/fake-openai-server.js";
import { json } from "../openai/testing/fixture.js";
import { startFakeGraph } from "./testing/fake-graph.js";

const accessToken = "EAAG-voice-access-token";
const appSecret = "voice-app-secret";
const phoneNumberId = "1098765499";
const graph = startFakeGraph(() => accessToken);
let openai: FakeOpenAIServer;
let platform: TestPlatform;
let connectionId = "";
let counter = 0;

beforeAll(async () => {
  openai = await startFakeOpenAIServer();
  platform = await startTestPlatform({
    WHATSAPP_GRAPH_URL: await graph.start(),
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.baseURL,
    EMBEDDING_DIMENSIONS: "256",
    TRANSCRIPTION_MODEL: "whisper-1",
  });
  const agent = await json<{ id: string }>(
    await platform.fetch("/v1/agents", {
      method: "POST",
      json: { name: "Voice desk", instructions: "Help." },
    }),
  );
  expect((await platform.fetch(`/v1/agents/${agent.id}/publish`, { method: "POST", json: {} })).status).toBe(
    200,
  );
  const res = await platform.fetch("/v1/whatsapp/connections", {
    method: "POST",
    json: {
      phoneNumberId,
      wabaId: "2233445599",
      agentId: agent.id,
      accessToken,
      appSecret,
      verifyToken: "voice-verify-token",
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  connectionId = (await json<{ id: string }>(res)).id;
});

afterAll(async () => {
  await platform?.close();
  await graph.close();
  await openai?.close();
});

function voiceNote(mediaId: string, from = "31612340000") {
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "2233445599",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { phone_number_id: phoneNumberId },
              messages: [
                {
                  from,
                  id: `wamid.VOICE${++counter}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: "audio",
                  audio: { id: mediaId, mime_type: "audio/ogg; codecs=opus", voice: true },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  return fetch(`${platform.url}/webhooks/whatsapp/${connectionId}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`,
    },
    body,
  });
}

const lastText = () =>
  graph.calls.filter((c) => c.body.type === "text" && !c.failed).at(-1)?.body.text?.body ?? "";

describe("voice notes", () => {
  it("are heard, answered as the words said, and the reply repeats them", async () => {
    graph.media.set("voice-1", { bytes: Buffer.from("Where is the parking garage?"), mimeType: "audio/ogg" });
    expect((await voiceNote("voice-1")).status).toBe(200);
    await platform.host.runner.idle();
    expect(lastText()).toMatch(/^You said: "Where is the parking garage\?"\n\n/);
    const [sent] = openai.requestsTo("/v1/audio/transcriptions");
    expect(String(sent?.body)).toMatch(/name="model"\r\n\r\nwhisper-1/);
    // The conversation holds the words, as if typed.
    const list = await json<{ conversations: { id: string }[] }>(
      await platform.fetch("/v1/conversations?channel=whatsapp"),
    );
    const { messages } = await json<{ messages: { role: string; content: string }[] }>(
      await platform.fetch(`/v1/conversations/${list.conversations[0]?.id ?? ""}/messages`),
    );
    expect(messages[0]).toMatchObject({ role: "user", content: "Where is the parking garage?" });
  });

  it("says so when a note cannot be fetched, has no words, or is refused by the speech service", async () => {
    await voiceNote("voice-missing");
    await platform.host.runner.idle();
    expect(lastText()).toMatch(/couldn't understand that voice message/);

    graph.media.set("voice-silent", { bytes: Buffer.from("   "), mimeType: "audio/ogg" });
    await voiceNote("voice-silent");
    await platform.host.runner.idle();
    expect(lastText()).toMatch(/couldn't make out any words/);

    graph.media.set("voice-bad", { bytes: Buffer.from("garbled"), mimeType: "audio/ogg" });
    openai.replyToTranscriptions({ kind: "error", status: 400, message: "Invalid file format." });
    await voiceNote("voice-bad");
    await platform.host.runner.idle();
    expect(lastText()).toMatch(/couldn't understand that voice message/);
  });
});
