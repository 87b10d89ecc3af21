import { describe, expect, it } from "vitest";
import { createSseParser, readSseEvents } from "./sse";

function streamOf(chunks: readonly string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>) {
  const events = [];
  for await (const event of readSseEvents(body)) events.push(event);
  return events;
}

describe("server-sent events", () => {
  it("reads named events whose frames arrive split across chunks", async () => {
    const events = await collect(
      streamOf([
        'event: delta\ndata: {"text":"Employees get "}\n',
        "\nevent: del",
        'ta\ndata: {"text":"25 days."}\n\nevent: message\ndata: {"message":',
        '{"id":"msg_1"}}\n\n',
      ]),
    );
    expect(events).toEqual([
      { event: "delta", data: '{"text":"Employees get "}' },
      { event: "delta", data: '{"text":"25 days."}' },
      { event: "message", data: '{"message":{"id":"msg_1"}}' },
    ]);
  });

  it("joins multi-line data with newlines and names unnamed events 'message'", () => {
    const parser = createSseParser();
    expect(parser.push("data: first line\ndata: second line\n\n")).toEqual([
      { event: "message", data: "first line\nsecond line" },
    ]);
  });

  it("waits for the blank line before answering an event, and skips comments", () => {
    const parser = createSseParser();
    expect(parser.push(": keep-alive\n\nevent: delta\ndata: {}\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "delta", data: "{}" }]);
  });

  it("accepts CRLF line ends, even when a CR and its LF arrive in different chunks", async () => {
    const events = await collect(
      streamOf(["event: delta\r\ndata: a\r", "\n\r\nevent: error\r\ndata: b\r\n\r\n"]),
    );
    expect(events).toEqual([
      { event: "delta", data: "a" },
      { event: "error", data: "b" },
    ]);
  });

  it("decodes a character whose bytes are split between chunks", async () => {
    const bytes = new TextEncoder().encode("data: café\n\n");
    const cut = bytes.length - 3; // Between the two bytes of "é" (then "\n\n").
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, cut));
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    expect(await collect(body)).toEqual([{ event: "message", data: "café" }]);
  });

  it("names an event whose name is empty as the default one", async () => {
    expect(await collect(streamOf(["event:\ndata: x\n\n"]))).toEqual([{ event: "message", data: "x" }]);
  });

  it("answers a last frame the stream ended without a blank line", async () => {
    expect(await collect(streamOf(["event: message\ndata: done"]))).toEqual([
      { event: "message", data: "done" },
    ]);
  });
});
