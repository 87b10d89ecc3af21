import { type IncomingMessage, type ServerResponse } from "node:http";
import { problem, type BankProblem } from "./problem.js";

// The wire: reading request bodies within a size limit and writing JSON and problem+json responses.

export const MAX_BODY_BYTES = 64 * 1024;
export const JSON_TYPE = "application/json";
export const PROBLEM_TYPE = "application/problem+json";
export const FORM_TYPE = "application/x-www-form-urlencoded";

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  requireMediaType(request, JSON_TYPE);
  const text = (await readBody(request)).toString("utf8");
  if (text.trim() === "") throw problem("malformed-json", "The body is empty; send a JSON object.");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw problem("malformed-json", `The body could not be parsed as JSON: ${reason}.`);
  }
}

export async function readFormBody(request: IncomingMessage): Promise<URLSearchParams> {
  requireMediaType(request, FORM_TYPE);
  return new URLSearchParams((await readBody(request)).toString("utf8"));
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  write(response, status, JSON_TYPE, body, headers);
}

export function sendProblem(response: ServerResponse, error: BankProblem, instance: string): void {
  const headers = { ...error.options.headers };
  // The rest of an oversized body is not read: the connection cannot carry another request.
  if (error.kind === "content-too-large") headers["Connection"] = "close";
  write(response, error.status, PROBLEM_TYPE, error.body(instance), headers);
}

function write(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: unknown,
  headers: Record<string, string>,
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": String(Buffer.byteLength(text)),
    // Balances and transactions are personal: no cache along the way may keep them.
    "Cache-Control": "no-store",
    ...headers,
  });
  response.end(text);
}

function requireMediaType(request: IncomingMessage, expected: string): void {
  const declared = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (declared !== expected) {
    throw problem(
      "unsupported-media-type",
      `Send the body as ${expected}${declared ? `, not ${declared}` : " (the Content-Type header is missing)"}.`,
      { headers: { "Accept-Post": expected } },
    );
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  const tooLarge = () =>
    problem("content-too-large", `The body is over the limit of ${MAX_BODY_BYTES} bytes.`);
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      // Stop reading (the response closes the connection) rather than buffer a body of any size.
      request.off("data", onData);
      request.pause();
      reject(tooLarge());
    };
    request.on("data", onData);
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
    request.on("close", () => {
      if (!request.complete)
        reject(new Error("the client closed the connection before sending the whole body"));
    });
  });
}
