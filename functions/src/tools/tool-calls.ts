/**
 * What every Tool Forge call shares, whether it is an HTTP request (executor.ts) or an MCP `tools/call`
 * (mcp-source.ts): the error the model reads when a call fails, the request as it is shown (secrets masked), and
 * the answer mapped for the model (the JSON the tool's pointer selects, shrunk to fit while staying valid JSON).
 */
import { isAppError } from "../platform/errors.js";
import { pointerGet } from "../platform/json-pointer.js";
import type { AppliedAuth } from "./credentials.js";

/** What is read of a tool's answer. */
export const maxResponseBytes = 1024 * 1024;
/** What the model is given of it, at most. */
export const maxOutputChars = 8000;

/** Why a call failed, in words the model can act on (and the trace records). */
export class ToolCallError extends Error {
  override readonly name = "ToolCallError";
  constructor(
    message: string,
    /** The HTTP status, when the API (or MCP server) answered with one. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/**
 * What a tool's request failing to go out (or to come back) tells the model: the deadline, the egress guard's
 * refusal (why, never what the host would have said), or the host unreachable. Every tool says it alike.
 */
export function egressFailure(e: unknown, timeoutMs: number, aborted: boolean): ToolCallError {
  if (aborted || (isAppError(e) && e.code === "deadline-exceeded"))
    return new ToolCallError(`the tool did not answer within ${timeoutMs} ms`);
  if (isAppError(e) && e.code === "permission-denied")
    return new ToolCallError(`the tool's URL was refused: ${e.message}`);
  return new ToolCallError(`the tool could not be reached (${e instanceof Error ? e.message : String(e)})`);
}

/** The request as it is shown (trace, tool playground): secrets masked. */
export interface ShownRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | null;
}

/** Where a tool set's tools are called: its base URL (an MCP server's endpoint) and credential (of the pinned version). */
export interface ToolTarget {
  readonly tenantId: string;
  readonly baseUrl: string;
  readonly credentialId: string | null;
}

/** `text` with every secret (4 characters or more) replaced by `***`. */
export const mask = (text: string, secrets: readonly string[]): string =>
  secrets.reduce((out, secret) => (secret.length >= 4 ? out.split(secret).join("***") : out), text);

/** A request as the trace and the try endpoint show it: the credential's secrets masked wherever they are. */
export function shown(
  request: { method: string; url: URL; headers: Record<string, string>; body: string | undefined },
  auth: AppliedAuth,
): ShownRequest {
  const secrets = [...auth.secrets, ...auth.secrets.map((s) => encodeURIComponent(s))];
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([k, v]) => [
      k,
      k === "authorization" ? `${v.split(" ")[0] ?? ""} ***` : mask(v, secrets),
    ]),
  );
  return {
    method: request.method,
    url: mask(request.url.href, secrets),
    headers,
    body: request.body === undefined ? null : mask(request.body, secrets),
  };
}

function shrink(value: unknown, maxItems: number, maxString: number): unknown {
  if (typeof value === "string") return value.length > maxString ? `${value.slice(0, maxString)}…` : value;
  if (Array.isArray(value)) return value.slice(0, maxItems).map((v) => shrink(v, maxItems, maxString));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shrink(v, maxItems, maxString)]));
  }
  return value;
}

/**
 * The answer for the model: JSON stays JSON (selected by the pointer, then shrunk, arrays cut to fewer items
 * and long strings shortened, until it fits, with a note saying so); other text is cut.
 */
export function mapResponse(text: string, select: string | null, maxChars = maxOutputChars): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text.length <= maxChars
      ? text
      : `${text.slice(0, maxChars - 60)}\n[cut: ${text.length} characters in all]`;
  }
  if (select !== null) {
    value = pointerGet(value, select);
    if (value === undefined) return JSON.stringify({ note: `the answer has nothing at ${select}` });
  }
  const whole = JSON.stringify(value);
  if (whole.length <= maxChars) return whole;
  for (const [items, chars] of [
    [50, 2000],
    [20, 500],
    [10, 200],
    [5, 120],
    [2, 80],
    [1, 40],
  ] as const) {
    const small = JSON.stringify(shrink(value, items, chars));
    const note = `\n[shortened to fit: lists cut to ${items} item(s), texts to ${chars} characters; ${whole.length} characters in all]`;
    if (small.length + note.length <= maxChars) return small + note;
  }
  return `${whole.slice(0, maxChars - 80)}\n[cut, no longer valid JSON: ${whole.length} characters in all]`;
}
