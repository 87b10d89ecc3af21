/**
 * An OpenAPI document imported from a URL: fetched through the egress guard like any call a tenant aims (public
 * hosts only unless the operator allows more, every redirect checked again, one deadline), read up to the size an
 * uploaded document may have, and charged to the workspace's upload budget as if it had been uploaded. Every way
 * it can fail is the caller's to fix (another URL, a public host, a smaller document), so each is an
 * `invalid-argument` naming the `url` field, with what happened.
 */
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError } from "../platform/errors.js";
import type { EgressResponse } from "../platform/ports.js";
import { consumeUploadBytes, minUploadCostBytes } from "../platform/rate-limit.js";
import { importLimits } from "./openapi/import.js";

/** The whole exchange (lookups, redirects, the last byte): a slow host fails the import, not the request. */
export const documentFetchTimeoutMs = 20_000;

/** The most a fetched document may take: what an upload may (the smaller of the import's and the router's caps). */
export const maxFetchedDocumentBytes = (deps: Deps): number =>
  Math.min(importLimits.maxDocumentBytes, deps.config.limits.maxUploadBytes);

export interface FetchedDocument {
  readonly text: string;
  /** The URL as it is kept in the tool set's source: without a user name or password it may carry. */
  readonly shownUrl: string;
  /** The URL that answered, after redirects (without credentials): what relative server URLs resolve against. */
  readonly answeredUrl: string;
}

const withoutCredentials = (url: URL): string => {
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
};

const refuse = (message: string): AppError =>
  new AppError("invalid-argument", message, { issues: [{ path: "url", message }] });

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Media types that are certainly not an OpenAPI document (text/plain and octet-stream may well be one). */
const notDocument =
  /^(text\/html|application\/xhtml\+xml|image\/|audio\/|video\/|font\/|application\/(pdf|zip|gzip))/i;

/** Fetches the document at `url` (GET, through the egress guard); its text, or a refusal that says why. */
export async function fetchOpenApiDocument(
  deps: Deps,
  caller: Caller,
  url: string,
): Promise<FetchedDocument> {
  const parsed = new URL(url);
  const host = parsed.host;
  const shownUrl = withoutCredentials(parsed);
  const maxBytes = maxFetchedDocumentBytes(deps);
  let response: EgressResponse;
  try {
    response = await deps.egress.request({
      method: "GET",
      url,
      headers: { accept: "application/json, application/yaml, text/yaml;q=0.9, text/plain;q=0.8, */*;q=0.1" },
      timeoutMs: documentFetchTimeoutMs,
      maxBodyBytes: maxBytes,
    });
  } catch (e) {
    if (!isAppError(e)) throw e;
    if (e.code === "permission-denied") throw refuse(`The URL cannot be fetched: ${e.message}`);
    if (e.code === "deadline-exceeded")
      throw refuse(`${host} did not send the document within ${documentFetchTimeoutMs / 1000} s`);
    if (e.code === "invalid-argument") throw refuse(`The URL cannot be fetched: ${e.message}`);
    throw refuse(`${host} could not be reached: ${e.message}`);
  }
  if (response.status < 200 || response.status > 299) {
    throw refuse(
      `${host} answered HTTP ${response.status} for ${shownUrl.slice(0, 300)}: no document to import`,
    );
  }
  if (response.truncated) {
    throw refuse(
      `The document at ${shownUrl.slice(0, 300)} is larger than ${megabytes(maxBytes)}, the most an import reads`,
    );
  }
  const type = (response.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
  if (notDocument.test(type)) {
    throw refuse(
      `${shownUrl.slice(0, 300)} is ${/html/i.test(type) ? "a web page" : `a ${type} file`}, not an OpenAPI ` +
        "document: give the URL of the JSON or YAML document itself (a documentation page links to it)",
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(response.body);
  } catch {
    throw refuse(`${shownUrl.slice(0, 300)} is not a text document: OpenAPI documents are JSON or YAML`);
  }
  // As if it had been uploaded: the router charged a small JSON body, the document is what was read.
  const owed = response.body.byteLength - minUploadCostBytes;
  if (owed > 0) await consumeUploadBytes(deps, caller, owed);
  return { text, shownUrl, answeredUrl: withoutCredentials(new URL(response.url)) };
}
