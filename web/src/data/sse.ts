/**
 * Server-sent events over `fetch`: `EventSource` cannot POST a body or send an `Authorization` header, so the
 * studio reads the response body itself. The wire format: https://html.spec.whatwg.org/multipage/server-sent-events.html
 */

export interface SseEvent {
  /** The `event:` field; `message` when the frame names none, as the spec says. */
  readonly event: string;
  /** Every `data:` line of the frame, joined with newlines. */
  readonly data: string;
}

/**
 * Parses a stream of text in whatever pieces the network delivers it: `push` answers the events completed by
 * a piece (a frame ends at a blank line), `end` the last frame if the stream stopped without its blank line.
 */
export function createSseParser() {
  let buffer = "";

  const parseFrame = (frame: string): SseEvent | undefined => {
    let event = "message";
    const data: string[] = [];
    for (const line of frame.split("\n")) {
      if (line === "" || line.startsWith(":")) continue; // A comment (keep-alive).
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      // An empty event name is the default one, as the spec says.
      if (field === "event") event = value || "message";
      else if (field === "data") data.push(value);
    }
    return data.length > 0 ? { event, data: data.join("\n") } : undefined;
  };

  const take = (final: boolean): SseEvent[] => {
    const frames = buffer.split("\n\n");
    buffer = final ? "" : (frames.pop() ?? "");
    return frames.flatMap((frame) => parseFrame(frame) ?? []);
  };

  return {
    push(text: string): SseEvent[] {
      // CRLF and CR end lines too; a CR at the end of a piece may be the first half of a CRLF.
      buffer = (buffer + text).replace(/\r\n|\r(?!$)/g, "\n");
      return take(false);
    },
    end(): SseEvent[] {
      buffer = buffer.replace(/\r$/, "\n");
      return take(true);
    },
  };
}

/** The events of a response body, as they arrive. */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = createSseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.end();
  } finally {
    reader.releaseLock();
  }
}
