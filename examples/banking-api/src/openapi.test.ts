import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthority } from "./auth.js";
import { createBank } from "./bank.js";
import { EXAMPLE_IDS, openApiDocument } from "./openapi.js";
import { bankRoutes } from "./routes.js";
import { seedDemoBank } from "./seed.js";
import {
  body,
  LUCA_READ_ONLY_KEY,
  MARIA_KEY,
  postJson,
  startTestBank,
  type TestBank,
} from "./testing/harness.js";
import { deref, isObject, resolveRef, schemaErrors } from "./testing/schema.js";

// The document is checked three ways: as OpenAPI 3.1 (structure, references, parameters), against the route
// table (the same operations, parameters and scopes), and against the live service (every documented
// operation answers what its schema says, key for key).

type Node = Record<string, unknown>;
const document = openApiDocument();
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function node(value: unknown, where: string): Node {
  if (!isObject(value)) throw new Error(`${where} is not an object`);
  return value;
}

function operations(): { path: string; method: string; operation: Node; pathItem: Node }[] {
  return Object.entries(node(document["paths"], "paths")).flatMap(([path, item]) => {
    const pathItem = node(item, path);
    return METHODS.filter((method) => method in pathItem).map((method) => ({
      path,
      method,
      operation: node(pathItem[method], `${method} ${path}`),
      pathItem,
    }));
  });
}

function parameters(pathItem: Node, operation: Node): Node[] {
  return [
    ...((pathItem["parameters"] as unknown[] | undefined) ?? []),
    ...((operation["parameters"] as unknown[] | undefined) ?? []),
  ].map((parameter) => deref(document, parameter));
}

function walk(value: unknown, visit: (node: Node, at: string) => void, at = "#"): void {
  if (Array.isArray(value)) value.forEach((item, index) => walk(item, visit, `${at}/${index}`));
  else if (isObject(value)) {
    visit(value, at);
    for (const [key, child] of Object.entries(value)) walk(child, visit, `${at}/${key}`);
  }
}

describe("the OpenAPI document is valid OpenAPI 3.1", () => {
  it("declares its version, info and servers", () => {
    expect(document["openapi"]).toMatch(/^3\.1\.\d+$/);
    expect(node(document["info"], "info")).toMatchObject({
      title: expect.any(String),
      version: expect.any(String),
    });
    for (const server of document["servers"] as Node[]) {
      const variables = node(server["variables"] ?? {}, "variables");
      for (const [, name] of String(server["url"]).matchAll(/\{(\w+)\}/g)) {
        expect(node(variables[name ?? ""], `server variable ${name}`)["default"]).toEqual(expect.any(String));
      }
    }
  });

  it("resolves every $ref", () => {
    const refs: string[] = [];
    walk(document, (item) => {
      if (typeof item["$ref"] === "string") refs.push(item["$ref"]);
    });
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of refs) expect(() => resolveRef(document, ref), ref).not.toThrow();
  });

  it("gives every operation a unique operationId, a summary, a description for a model and a declared tag", () => {
    const tags = new Set((document["tags"] as Node[]).map((tag) => tag["name"]));
    const ids = operations().map(({ operation }) => operation["operationId"]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, operation } of operations()) {
      const where = `${method} ${path}`;
      expect(operation["operationId"], where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(String(operation["summary"]).length, where).toBeGreaterThan(10);
      expect(String(operation["description"]).length, where).toBeGreaterThan(60);
      for (const tag of operation["tags"] as string[])
        expect(tags.has(tag), `${where} tag ${tag}`).toBe(true);
    }
  });

  it("declares each path template's parameters, required and in the path, and no others", () => {
    for (const { path, method, operation, pathItem } of operations()) {
      const declared = parameters(pathItem, operation);
      const inPath = declared.filter((parameter) => parameter["in"] === "path");
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(inPath.map((parameter) => parameter["name"]).sort(), `${method} ${path}`).toEqual(
        templated.sort(),
      );
      for (const parameter of inPath) expect(parameter["required"]).toBe(true);
      const keys = declared.map((parameter) => `${String(parameter["in"])}:${String(parameter["name"])}`);
      expect(new Set(keys).size, `${method} ${path} repeats a parameter`).toBe(keys.length);
      for (const parameter of declared) {
        expect(["path", "query", "header", "cookie"]).toContain(parameter["in"]);
        expect(parameter["schema"] ?? parameter["content"]).toBeDefined();
      }
    }
  });

  it("describes every response, declares errors as problem+json and success as JSON", () => {
    for (const { path, method, operation } of operations()) {
      const responses = node(operation["responses"], `${method} ${path} responses`);
      expect(
        Object.keys(responses).some((status) => status.startsWith("2")),
        `${method} ${path}`,
      ).toBe(true);
      for (const [status, raw] of Object.entries(responses)) {
        expect(status).toMatch(/^[1-5]\d\d$/);
        const response = deref(document, raw);
        expect(typeof response["description"]).toBe("string");
        const content = Object.keys(node(response["content"], `${status} content`));
        expect(content).toEqual([status < "400" ? "application/json" : "application/problem+json"]);
      }
      expect(Object.keys(responses)).toEqual(expect.arrayContaining(["401", "403"]));
    }
  });

  it("names only defined security schemes and their scopes", () => {
    const schemes = node(node(document["components"], "components")["securitySchemes"], "securitySchemes");
    const oauth = node(schemes["oauth2"], "oauth2");
    expect(oauth["type"]).toBe("oauth2");
    const flow = node(node(oauth["flows"], "flows")["clientCredentials"], "clientCredentials");
    expect(flow["tokenUrl"]).toBe("/oauth/token");
    const scopes = Object.keys(node(flow["scopes"], "scopes"));
    expect(scopes).toEqual(["accounts:read", "transfers:write"]);
    expect(schemes["apiKey"]).toMatchObject({ type: "apiKey", in: "header", name: "X-API-Key" });
    for (const { operation } of operations()) {
      const requirements = operation["security"] as Node[];
      expect(requirements.length).toBe(2);
      for (const requirement of requirements) {
        for (const [scheme, required] of Object.entries(requirement)) {
          expect(Object.keys(schemes)).toContain(scheme);
          for (const scope of required as string[]) expect(scopes).toContain(scope);
        }
      }
    }
  });

  it("uses every component it defines", () => {
    const text = JSON.stringify(document);
    const components = node(document["components"], "components");
    for (const kind of ["schemas", "parameters", "responses", "headers"]) {
      for (const name of Object.keys(node(components[kind], kind))) {
        expect(text, `#/components/${kind}/${name} is unused`).toContain(`"#/components/${kind}/${name}"`);
      }
    }
  });

  it("gives examples that satisfy their own schemas", () => {
    let checked = 0;
    walk(document, (item, at) => {
      if (isObject(item["schema"])) {
        const examples = [
          ...("example" in item ? [item["example"]] : []),
          ...Object.values(isObject(item["examples"]) ? item["examples"] : {}).map(
            (example) => deref(document, example)["value"],
          ),
        ];
        for (const example of examples) {
          expect(schemaErrors(document, item["schema"], example), at).toEqual([]);
          checked += 1;
        }
      }
      if (Array.isArray(item["examples"]) && !at.includes("/examples/")) {
        for (const example of item["examples"]) {
          expect(schemaErrors(document, item, example), at).toEqual([]);
          checked += 1;
        }
      }
    });
    expect(checked).toBeGreaterThan(20);
  });

  it("uses ids in its examples that the demo bank really has", () => {
    const { bank } = seedDemoBank(() => Date.now());
    expect(bank.customers.has(EXAMPLE_IDS.customer)).toBe(true);
    expect(bank.accounts.get(EXAMPLE_IDS.account)?.name).toBe("Everyday account");
    expect(bank.accounts.get(EXAMPLE_IDS.holidayPot)?.name).toBe("Holiday pot");
    expect(bank.payees.get(EXAMPLE_IDS.payee)?.name).toBe("Jonas Weber");
    const transactions = [...bank.transactions.values()].flat();
    expect(transactions.some((transaction) => transaction.id === EXAMPLE_IDS.transaction)).toBe(true);
  });
});

describe("the OpenAPI document and the service agree", () => {
  const clock = () => 0;
  const routes = bankRoutes(createBank({ clock }), createAuthority({ clock, apiKeys: [], clients: [] }));

  it("openapi.json is the document the service serves (run `npm run openapi -w examples/banking-api`)", () => {
    const file: unknown = JSON.parse(readFileSync(new URL("../openapi.json", import.meta.url), "utf8"));
    expect(file).toEqual(document);
  });

  it("lists exactly the routes the service answers, with their query parameters and scopes", () => {
    const documented = operations().map(({ path, method, operation, pathItem }) => ({
      operationId: operation["operationId"],
      route: `${method.toUpperCase()} ${path}`,
      query: parameters(pathItem, operation)
        .filter((parameter) => parameter["in"] === "query")
        .map((parameter) => parameter["name"])
        .sort(),
      scopes: [
        ...new Set(
          (operation["security"] as Node[]).flatMap((requirement) => Object.values(requirement).flat()),
        ),
      ],
    }));
    const served = routes.flatMap((route) =>
      route.operationId === undefined
        ? []
        : [
            {
              operationId: route.operationId,
              route: `${route.method} ${route.path}`,
              query: [...(route.query ?? [])].sort(),
              scopes: [route.scope],
            },
          ],
    );
    const byId = (a: { operationId: unknown }, b: { operationId: unknown }) =>
      String(a.operationId).localeCompare(String(b.operationId));
    expect(documented.sort(byId)).toEqual(served.sort(byId));
  });

  it("declares request bodies for exactly the routes that read JSON", () => {
    for (const route of routes.filter((candidate) => candidate.operationId !== undefined)) {
      const operation = operations().find(
        (candidate) => candidate.operation["operationId"] === route.operationId,
      );
      expect(operation?.operation["requestBody"] !== undefined, route.operationId).toBe(
        route.body === "json",
      );
    }
  });

  it("serves its token URL and its own document", () => {
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(["POST /oauth/token", "GET /openapi.json"]),
    );
  });
});

describe("the service answers what the document says", () => {
  let bank: TestBank;
  const answered = new Set<string>();
  beforeAll(async () => {
    bank = await startTestBank();
  });
  afterAll(() => bank.close());

  /** Checks a live response against the operation's documented response: status, media type, headers, body. */
  async function conforms(response: Response, operationId: string): Promise<Node> {
    const found = operations().find(({ operation }) => operation["operationId"] === operationId);
    if (!found) throw new Error(`no operation ${operationId}`);
    const status = String(response.status);
    const responses = node(found.operation["responses"], "responses");
    expect(Object.keys(responses), `${operationId} answered an undocumented ${status}`).toContain(status);
    const documented = deref(document, responses[status]);
    const mediaType = (response.headers.get("content-type") ?? "").split(";")[0] ?? "";
    const media = node(
      node(documented["content"], "content")[mediaType],
      `${operationId} ${status} ${mediaType}`,
    );
    for (const [name, header] of Object.entries(
      isObject(documented["headers"]) ? documented["headers"] : {},
    )) {
      if (deref(document, header)["required"] === true) {
        expect(response.headers.get(name), `${operationId} ${status} header ${name}`).not.toBeNull();
      }
    }
    const value = await body(response);
    expect(schemaErrors(document, media["schema"], value), `${operationId} ${status}`).toEqual([]);
    if (status.startsWith("2")) answered.add(operationId);
    return value;
  }

  it("for every operation, successes and errors alike", async () => {
    const get = (path: string, headers: Record<string, string> = MARIA_KEY) => bank.call(path, { headers });
    const everyday = bank.account("maria", "Everyday account");
    const pot = bank.account("maria", "Holiday pot");

    await conforms(await get("/v1/customers/me"), "getCurrentCustomer");
    await conforms(await get("/v1/customers/me", {}), "getCurrentCustomer");
    await conforms(await get("/v1/accounts"), "listAccounts");
    await conforms(await get(`/v1/accounts/${everyday.id}`), "getAccount");
    await conforms(await get("/v1/accounts/acc_0000000000000000"), "getAccount");
    await conforms(await get(`/v1/accounts/${everyday.id}?verbose=1`), "getAccount");
    await conforms(await get(`/v1/accounts/${everyday.id}/balance`), "getAccountBalance");
    const transactions = `/v1/accounts/${everyday.id}/transactions`;
    const page = await conforms(await get(`${transactions}?limit=3&q=rewe`), "listAccountTransactions");
    await conforms(
      await get(`${transactions}?limit=3&cursor=${String(page["nextCursor"])}`),
      "listAccountTransactions",
    );
    await conforms(await get(`${transactions}?limit=1000`), "listAccountTransactions");

    await conforms(await get("/v1/payees"), "listPayees");
    const anna = { name: "Anna Keller", iban: "DE02 1203 0000 0000 2020 51" };
    const created = await conforms(await bank.call("/v1/payees", postJson(MARIA_KEY, anna)), "createPayee");
    await conforms(await bank.call("/v1/payees", postJson(MARIA_KEY, anna)), "createPayee");
    await conforms(
      await bank.call("/v1/payees", postJson(MARIA_KEY, { ...anna, iban: "DE00" })),
      "createPayee",
    );
    await conforms(await bank.call("/v1/payees", postJson(LUCA_READ_ONLY_KEY, anna)), "createPayee");
    await conforms(
      await bank.call("/v1/payees", {
        method: "POST",
        headers: { ...MARIA_KEY, "Content-Type": "text/plain" },
      }),
      "createPayee",
    );
    await conforms(await get(`/v1/payees/${String(created["id"])}`), "getPayee");

    const request = { fromAccountId: everyday.id, payeeId: created["id"], amount: "30.00", currency: "EUR" };
    const send = (key: string, value: unknown) =>
      bank.call("/v1/transfers", postJson(MARIA_KEY, value, { "Idempotency-Key": key }));
    const transfer = await conforms(await send("t-1", request), "createTransfer");
    await conforms(await send("t-1", request), "createTransfer");
    await conforms(await send("t-1", { ...request, amount: "31.00" }), "createTransfer");
    await conforms(await send("t-2", { ...request, amount: "5000.00" }), "createTransfer");
    await conforms(
      await send("t-3", { ...request, fromAccountId: pot.id, amount: "500.00" }),
      "createTransfer",
    );
    await conforms(await send("t-4", { ...request, payeeId: "pay_0000000000000000" }), "createTransfer");
    await conforms(await send("t-5", { ...request, amount: 30 }), "createTransfer");
    await conforms(await get(`/v1/transfers/${String(transfer["id"])}`), "getTransfer");
    await conforms(await get("/v1/transfers/trf_0000000000000000"), "getTransfer");

    const documented = operations().map(({ operation }) => operation["operationId"]);
    expect([...answered].sort()).toEqual(documented.sort());
  });

  it("serves the document at /openapi.json, without a credential", async () => {
    const response = await bank.call("/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual(document);
  });
});
