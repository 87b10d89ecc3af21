/**
 * Importing an OpenAPI document from a URL, over real HTTP: a small documentation server the test starts
 * publishes the bank's document (and a few things that are not one). With loopback allowed (local development)
 * the document is fetched through the egress guard, redirects followed, and imported like an uploaded one, its
 * URL kept as the tool set's source; every failure is a 400 that says what happened and creates nothing. Without
 * loopback allowed (the default), the same URL is refused before anything is sent.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { json } from "../channels/openai/testing/fixture.js";

/** The most an upload may be on the platforms below, and so the most a fetched document may be. */
const maxUploadBytes = 256 * 1024;

const bankSpec = `openapi: 3.0.3
info:
  title: Northwind Bank API
  version: 1.4.0
servers:
  - url: https://api.northwind-bank.example/v1
tags:
  - name: accounts
  - name: payments
paths:
  /accounts:
    get:
      operationId: listAccounts
      summary: List the customer's accounts
      tags: [accounts]
      responses: { "200": { description: The accounts } }
  /accounts/{accountId}/balance:
    get:
      operationId: getBalance
      summary: The balance of one account
      tags: [accounts]
      parameters:
        - { name: accountId, in: path, required: true, schema: { type: string } }
      responses: { "200": { description: The balance } }
  /transfers:
    post:
      operationId: createTransfer
      summary: Move money between two accounts
      tags: [payments]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [from, to, amount]
              properties:
                from: { type: string }
                to: { type: string }
                amount: { type: string, pattern: "^[0-9]+\\\\.[0-9]{2}$" }
      responses: { "201": { description: Booked } }
`;

/** As many APIs publish theirs: the server is relative to where the document is. */
const relativeSpec = {
  openapi: "3.0.2",
  info: { title: "Pet Store", version: "1.0.19" },
  servers: [{ url: "/api/v3" }],
  paths: {
    "/pet/{petId}": {
      get: {
        operationId: "getPetById",
        tags: ["pet"],
        parameters: [{ name: "petId", in: "path", required: true, schema: { type: "integer" } }],
        responses: { "200": { description: "A pet" } },
      },
    },
  },
};

/** Requests the documentation server received, by path: what the egress guard let out. */
const hits: string[] = [];

const docs = http.createServer((req, res) => {
  const path = new URL(req.url ?? "/", "http://docs").pathname;
  hits.push(path);
  switch (path) {
    case "/openapi.yaml":
      res.writeHead(200, { "content-type": "application/yaml" });
      return res.end(bankSpec);
    case "/docs/petstore.json":
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(relativeSpec));
    case "/petstore":
      res.writeHead(301, { location: "/docs/petstore.json" });
      return res.end();
    case "/latest":
      res.writeHead(302, { location: "/openapi.yaml" });
      return res.end();
    case "/huge.json":
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ openapi: "3.0.3", padding: "x".repeat(maxUploadBytes) }));
    case "/reference":
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end("<!doctype html><title>Northwind Bank API reference</title><div id=swagger-ui></div>");
    case "/package.json":
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ name: "northwind-bank-client", version: "1.4.0" }));
    case "/logo.bin":
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0xc3]));
    default:
      res.writeHead(404, { "content-type": "application/problem+json" });
      return res.end(JSON.stringify({ title: "Not found" }));
  }
});

let docsUrl = "";

interface ImportedSet {
  id: string;
  name: string;
  source: { kind: string; title: string; specVersion: string; url?: string };
  tools: { name: string; enabled: boolean; tags: string[] }[];
}
interface Refusal {
  error: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } };
}

beforeAll(async () => {
  await new Promise<void>((resolve) => docs.listen(0, "127.0.0.1", () => resolve()));
  docsUrl = `http://127.0.0.1:${(docs.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => docs.close(resolve));
});

// One platform at a time: a test platform is the process's deps while it runs.
describe("importing from a URL, loopback allowed (local development)", () => {
  let platform: TestPlatform;
  const importFrom = (body: Record<string, unknown>) =>
    platform.fetch("/v1/tool-sets/import", { method: "POST", json: body });
  const toolSetCount = async () =>
    (await json<{ toolSets: unknown[] }>(await platform.fetch("/v1/tool-sets"))).toolSets.length;

  beforeAll(async () => {
    platform = await startTestPlatform({
      ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true",
      MAX_UPLOAD_BYTES: String(maxUploadBytes),
    });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it("fetches the document, imports it like an uploaded one, and keeps the URL as the source", async () => {
    const url = `${docsUrl}/openapi.yaml`;
    const res = await importFrom({ url, enable: ["accounts"] });
    expect(res.status, await res.clone().text()).toBe(201);
    const set = await json<ImportedSet>(res);
    expect(set.name).toBe("Northwind Bank API");
    expect(set.source).toEqual({
      kind: "openapi",
      title: "Northwind Bank API",
      specVersion: "3.0.3",
      skipped: [],
      url,
    });
    expect(set.tools.map((t) => [t.name, t.tags, t.enabled])).toEqual([
      ["listAccounts", ["accounts"], true],
      ["getBalance", ["accounts"], true],
      ["createTransfer", ["payments"], false],
    ]);

    const stored = await json<ImportedSet>(await platform.fetch(`/v1/tool-sets/${set.id}`));
    expect(stored.source.url).toBe(url);
    expect(stored.tools.map((t) => t.tags)).toEqual([["accounts"], ["accounts"], ["payments"]]);
  });

  it("follows a redirect to the document and records the URL it was given", async () => {
    const res = await importFrom({ url: `${docsUrl}/latest`, name: "Northwind (latest)" });
    expect(res.status, await res.clone().text()).toBe(201);
    const set = await json<ImportedSet>(res);
    expect(set.name).toBe("Northwind (latest)");
    expect(set.source.url).toBe(`${docsUrl}/latest`);
    expect(set.tools).toHaveLength(3);
    expect(set.tools.every((t) => !t.enabled)).toBe(true);
  });

  it("resolves a relative server URL against the URL the document answered from", async () => {
    const res = await importFrom({ url: `${docsUrl}/petstore` });
    expect(res.status, await res.clone().text()).toBe(201);
    const set = await json<ImportedSet & { baseUrl: string; warnings: string[] }>(res);
    expect(set.baseUrl).toBe(`${docsUrl}/api/v3`);
    expect(set.warnings.join(" ")).not.toMatch(/relative/);
    expect(set.source.url).toBe(`${docsUrl}/petstore`);
  });

  it("keeps a user name and password in the URL out of the recorded source", async () => {
    const res = await importFrom({
      url: `http://reader:s3cret-pass@127.0.0.1:${docsUrl.split(":")[2]}/openapi.yaml`,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const set = await json<ImportedSet>(res);
    expect(set.source.url).toBe(`${docsUrl}/openapi.yaml`);
    expect(JSON.stringify(set)).not.toContain("s3cret-pass");
  });

  it.each([
    ["an HTTP error status", "/missing.yaml", /answered HTTP 404/],
    [
      "a document over the size an upload may have",
      "/huge.json",
      /larger than 0\.3 MB, the most an import reads/,
    ],
    ["a web page", "/reference", /is a web page, not an OpenAPI document/],
    ["a JSON file that is not OpenAPI", "/package.json", /not an OpenAPI or Swagger document/],
    ["bytes that are not text", "/logo.bin", /is not a text document/],
  ])("refuses %s with a 400 that says so, and creates nothing", async (_what, path, message) => {
    const before = await toolSetCount();
    const res = await importFrom({ url: `${docsUrl}${path}` });
    expect(res.status).toBe(400);
    const body = await json<Refusal>(res);
    expect(body.error.code).toBe("invalid-argument");
    expect(body.error.message).toMatch(message);
    expect(await toolSetCount()).toBe(before);
  });

  it("refuses a host that cannot be reached, and creates nothing", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const before = await toolSetCount();

    const res = await importFrom({ url: `http://127.0.0.1:${port}/openapi.yaml` });
    expect(res.status).toBe(400);
    const body = await json<Refusal>(res);
    expect(body.error.message).toMatch(/could not be reached: the connection was refused/);
    expect(body.error.details?.issues).toEqual([{ path: "url", message: body.error.message }]);
    expect(await toolSetCount()).toBe(before);
  });

  it("takes the document or its URL, not both and not neither", async () => {
    const before = await toolSetCount();
    const both = await importFrom({ url: `${docsUrl}/openapi.yaml`, spec: bankSpec });
    expect(both.status).toBe(400);
    expect((await json<Refusal>(both)).error.message).toMatch(/spec, or its URL as url/);
    const neither = await importFrom({ name: "Nothing" });
    expect(neither.status).toBe(400);
    const ftp = await importFrom({ url: "ftp://127.0.0.1/openapi.yaml" });
    expect(ftp.status).toBe(400);
    expect(await toolSetCount()).toBe(before);
  });

  it("reads tools saved before tags existed as having none", async () => {
    const res = await platform.fetch("/v1/tool-sets", {
      method: "POST",
      json: {
        name: "Status page",
        baseUrl: "https://status.northwind-bank.example",
        tools: [
          {
            name: "get_status",
            description: "The current status of the bank's services",
            parameters: { type: "object", properties: {}, additionalProperties: false },
            sideEffect: "read",
            enabled: true,
            operation: { method: "GET", path: "/status", arguments: {}, body: null },
          },
        ],
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect((await json<ImportedSet>(res)).tools[0]?.tags).toEqual([]);
  });
});

describe("importing from a URL, the default egress policy", () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => {
    await platform?.close();
  });

  it("refuses a loopback address before sending anything, and creates nothing", async () => {
    hits.length = 0;
    const res = await platform.fetch("/v1/tool-sets/import", {
      method: "POST",
      json: { url: `${docsUrl}/openapi.yaml` },
    });
    expect(res.status).toBe(400);
    const body = await json<Refusal>(res);
    expect(body.error.code).toBe("invalid-argument");
    expect(body.error.message).toMatch(/^The URL cannot be fetched: 127\.0\.0\.1 is .*loopback/);
    expect(body.error.message).toMatch(/only public internet hosts may be called/);
    expect(body.error.details?.issues?.[0]?.path).toBe("url");
    expect(hits).toEqual([]);
    const listed = await json<{ toolSets: unknown[] }>(await platform.fetch("/v1/tool-sets"));
    expect(listed.toolSets).toEqual([]);
  });

  it("refuses a private network address the same way", async () => {
    const res = await platform.fetch("/v1/tool-sets/import", {
      method: "POST",
      json: { url: "http://10.1.2.3/openapi.yaml" },
    });
    expect(res.status).toBe(400);
    expect((await json<Refusal>(res)).error.message).toMatch(
      /^The URL cannot be fetched: 10\.1\.2\.3 is .*private/,
    );
  });
});
