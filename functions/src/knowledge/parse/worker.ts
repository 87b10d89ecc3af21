/**
 * The parse worker's entry point (a `worker_threads` worker started by pool.ts): reads one document at a
 * time into chunks (or into its whole text, when asked), off the event loop that answers requests. Its heap
 * is capped and its time bounded by the pool, which terminates it when either runs out; an ordinary parse
 * failure (an AppError) is sent back as a reply and the worker stays, warm, for the next document.
 */
import { parentPort } from "node:worker_threads";
import { isAppError } from "../../platform/errors.js";
import { chunkDocument } from "../chunk.js";
import { parseDocument } from "../parse.js";
import type { ParseReply, ParseRequest } from "./pool.js";

const port = parentPort;
if (!port) throw new Error("parse/worker.js runs as a worker thread started by parse/pool.js");

port.on("message", (request: ParseRequest) => {
  void (async () => {
    let reply: ParseReply;
    try {
      const parsed = await parseDocument(request.type, new Uint8Array(request.bytes), request.limits);
      reply =
        request.output === "text"
          ? { id: request.id, ok: true, text: parsed.text }
          : { id: request.id, ok: true, chunks: chunkDocument(parsed) };
    } catch (e) {
      // Anything but an AppError is a bug or a parser's own failure: no library message reaches a user.
      reply = isAppError(e)
        ? { id: request.id, ok: false, code: e.code, message: e.message }
        : {
            id: request.id,
            ok: false,
            code: "internal",
            message: e instanceof Error ? e.message : String(e),
          };
    }
    port.postMessage(reply);
  })();
});

port.postMessage({ ready: true });
