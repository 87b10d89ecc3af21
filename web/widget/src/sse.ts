/**
 * Server-sent events read from `fetch`: `EventSource` can neither POST a question nor send the widget's
 * identity headers. The wire format: https://html.spec.whatwg.org/multipage/server-sent-events.html
 */

// One parser for the studio and the widget: a module with no imports, so the bundle takes in only it.
import { createSseParser, type SseEvent } from "../../src/data/sse";

export { createSseParser, type SseEvent };

/** The events of a response body as they arrive; a character split across two chunks is decoded whole. */
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
    // Stop the download when the reader leaves early (an error event, a reset).
    reader.cancel().catch(() => undefined);
  }
}
