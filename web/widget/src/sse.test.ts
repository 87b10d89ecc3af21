import { describe, expect, it } from "vitest";
import { createSseParser, readSseEvents } from "./sse";

/** A response body delivering the given pieces of bytes, one read each. */
function bodyOf(pieces: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>) {
  const events = [];
  for await (const event of readSseEvents(body)) events.push(event);
  return events;
}

const answerStream =
  'event: delta\ndata: {"text":"Full-time employees receive "}\n\n' +
  ": keep-alive\n\n" +
  'event: delta\ndata: {"text":"25 vacation days [1]."}\n\n' +
  'event: message\ndata: {"message":{"id":"m1","role":"assistant","content":"Full-time employees receive 25 vacation days per calendar year [1]."}}\n\n';

describe("the SSE parser", () => {
  it("reads the same events whichever way the network splits the frames", async () => {
    const bytes = new TextEncoder().encode(answerStream);
    const whole = await collect(bodyOf([bytes]));
    expect(whole.map((e) => e.event)).toEqual(["delta", "delta", "message"]);
    expect(JSON.parse(whole[1]!.data)).toEqual({ text: "25 vacation days [1]." });

    // One byte at a time, and in uneven pieces cutting through field names, values and the blank lines.
    const byByte = await collect(bodyOf([...bytes].map((b) => Uint8Array.of(b))));
    expect(byByte).toEqual(whole);
    const cuts = [3, 17, 18, 40, 41, 90, 91, 92, bytes.length];
    const uneven = cuts.map((end, i) => bytes.slice(i === 0 ? 0 : cuts[i - 1], end));
    expect(await collect(bodyOf(uneven))).toEqual(whole);
  });

  it("decodes a character whose bytes arrive in two chunks", async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"text":"Zürich › Büro"}\n\n');
    const split = bytes.indexOf(0xc3) + 1; // Between the two bytes of "ü".
    const events = await collect(bodyOf([bytes.slice(0, split), bytes.slice(split)]));
    expect(JSON.parse(events[0]!.data)).toEqual({ text: "Zürich › Büro" });
  });

  it("joins multi-line data with newlines and strips one leading space only", () => {
    const parser = createSseParser();
    expect(parser.push("event: delta\ndata: first line\ndata:  indented\ndata\n\n")).toEqual([
      { event: "delta", data: "first line\n indented\n" },
    ]);
  });

  it("skips comments and frames without data, and names an unnamed frame 'message'", () => {
    const parser = createSseParser();
    expect(parser.push(": ping\n\nevent: delta\n\nid: 7\ndata: hello\n\n")).toEqual([
      { event: "message", data: "hello" },
    ]);
  });

  it("accepts CRLF and CR line ends, even a CRLF split between two pieces", () => {
    const parser = createSseParser();
    expect(parser.push("event: delta\r\ndata: a\r")).toEqual([]);
    expect(parser.push("\n\r\nevent: error\rdata: b\r\r")).toEqual([{ event: "delta", data: "a" }]);
    // The last CR may be half of a CRLF: the frame completes with the next piece, or at the end.
    expect(parser.end()).toEqual([{ event: "error", data: "b" }]);
  });

  it("keeps an unfinished frame until its blank line, and delivers it at the end of the stream", () => {
    const parser = createSseParser();
    expect(parser.push("event: message\ndata: {")).toEqual([]);
    expect(parser.push('"done":true}')).toEqual([]);
    expect(parser.end()).toEqual([{ event: "message", data: '{"done":true}' }]);
  });
});
