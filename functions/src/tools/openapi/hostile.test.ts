/**
 * Documents built to hurt: every one must end quickly with a bounded result or a clear error. The suite's
 * timeout is the bound on time; none of these asserts a duration.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../../platform/errors.js";
import { importOpenApi } from "./import.js";
import type { ImportedTool } from "./schema.js";
import { strictAjv } from "./testing/strict-schema.js";

type Doc = Record<string, unknown>;

const withSchemas = (schemas: Doc, bodyRef = "#/components/schemas/Root", operations = 1): Doc => ({
  openapi: "3.0.3",
  info: { title: "Hostile", version: "1" },
  servers: [{ url: "https://api.example.com" }],
  paths: Object.fromEntries(
    Array.from({ length: operations }, (_, i) => [
      `/things/${i}`,
      {
        post: {
          operationId: `createThing${i}`,
          requestBody: { required: true, content: { "application/json": { schema: { $ref: bodyRef } } } },
          responses: { "200": { description: "OK" } },
        },
      },
    ]),
  ),
  components: { schemas },
});

async function refusal(
  input: Parameters<typeof importOpenApi>[0],
  options?: Parameters<typeof importOpenApi>[1],
) {
  const error = await importOpenApi(input, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("documents that are not OpenAPI", () => {
  it("says what was found instead", async () => {
    const jsonSchema = await refusal(
      JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "object" }),
    );
    expect(jsonSchema.code).toBe("invalid-argument");
    expect(jsonSchema.message).toBe(
      'This is not an OpenAPI or Swagger document: it has no `openapi` or `swagger` field (its top-level fields are "$schema", "type").',
    );
    expect(
      (
        await refusal(
          JSON.stringify({
            info: { name: "Payments", schema: "https://schema.getpostman.com/json/collection/v2.1.0/" },
            item: [],
          }),
        )
      ).message,
    ).toContain('its top-level fields are "info", "item"');
    expect(
      (await refusal("asyncapi: 2.6.0\ninfo: {title: Events, version: '1'}\nchannels: {}\n")).message,
    ).toBe(
      "This is an AsyncAPI document (event-driven APIs), not an OpenAPI one: it describes no HTTP operations to call.",
    );
    expect((await refusal("[1, 2, 3]")).message).toBe(
      "This is not an OpenAPI or Swagger document: it is a list, not an object with an `openapi` or `swagger` field.",
    );
    expect((await refusal("Just some text about an API.")).message).toContain("it is a string value");
    expect((await refusal("   \n")).message).toBe("The document is empty.");
    expect((await refusal('{"openapi": "3.0.0", "paths": {')).message).toMatch(
      /^The document is not valid JSON: /,
    );
    expect((await refusal("openapi: 3.0.0\npaths:\n  /a: [\n")).message).toMatch(
      /^The document is neither JSON nor valid YAML: /,
    );
    expect((await refusal({ swagger: "1.2", apis: [] })).message).toBe(
      "Swagger 1.2 is not supported: documents in Swagger 2.0, OpenAPI 3.0 or 3.1 can be imported.",
    );
    expect((await refusal({ openapi: "4.0.0", info: {} })).message).toBe(
      "OpenAPI 4.0.0 is not supported: documents in Swagger 2.0, OpenAPI 3.0 or 3.1 can be imported.",
    );
  });

  it("refuses a document over the size limit before reading it", async () => {
    const big = `{"openapi": "3.0.0", "x": "${"a".repeat(21 * 1024 * 1024)}"}`;
    const error = await refusal(big);
    expect(error.code).toBe("payload-too-large");
    expect(error.message).toBe(
      "The document is 21.0 MB; OpenAPI documents of up to 20.0 MB can be imported.",
    );
    expect((await refusal(new Uint8Array(2048), { maxDocumentBytes: 1024 })).code).toBe("payload-too-large");
    // YAML costs ten times JSON to read: it has a lower limit, and the error says what to do.
    const yaml = `openapi: 3.0.0\ninfo: {title: Big, version: "1"}\nx-notes: "${"a".repeat(6 * 1024 * 1024)}"\n`;
    expect((await refusal(yaml)).message).toBe(
      "The document is 6.0 MB of YAML; YAML documents of up to 5.0 MB can be imported (JSON ones up to 20.0 MB): convert it to JSON, which also reads ten times faster.",
    );
    // Characters outside ASCII count as the bytes they take.
    expect(
      (await refusal(`{"openapi": "3.0.0", "x": "${"é".repeat(600)}"}`, { maxDocumentBytes: 1024 })).code,
    ).toBe("payload-too-large");
  });
});

describe("YAML aliases", () => {
  it("refuses a billion-laughs document", async () => {
    const levels = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    const bomb = [
      "openapi: 3.0.0",
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...levels.slice(1).map((l, i) => `${l}: &${l} [${Array(9).fill(`*${levels[i]}`).join(",")}]`),
      "info: {title: Laughs, version: '1'}",
      "paths: {}",
    ].join("\n");
    const error = await refusal(bomb);
    expect(error.message).toBe(
      "The document expands YAML aliases more than 100 times: refused, as a document built to exhaust memory would.",
    );
  });

  it("accepts the anchors real documents use to share a parameter", async () => {
    const yaml = `
openapi: 3.0.3
info: {title: Shared, version: "1"}
paths:
  /accounts:
    get:
      operationId: listAccounts
      parameters:
        - &page {name: page, in: query, schema: {type: integer, minimum: 1}}
      responses: {"200": {description: OK}}
  /cards:
    get:
      operationId: listCards
      parameters: [*page]
      responses: {"200": {description: OK}}
`;
    const result = await importOpenApi(yaml);
    expect(result.operations.map((o) => (o as ImportedTool).parameters.properties)).toEqual([
      { page: { type: "integer", minimum: 1 } },
      { page: { type: "integer", minimum: 1 } },
    ]);
  });
});

describe("references built to loop or explode", () => {
  it("cuts mutual recursion and recursion through allOf", async () => {
    const result = await importOpenApi(
      withSchemas({
        Root: { type: "object", properties: { owner: { $ref: "#/components/schemas/Person" } } },
        Person: { type: "object", properties: { employer: { $ref: "#/components/schemas/Company" } } },
        Company: {
          allOf: [{ $ref: "#/components/schemas/Legal" }],
          properties: { ceo: { $ref: "#/components/schemas/Person" } },
        },
        Legal: { allOf: [{ $ref: "#/components/schemas/Company" }] },
      }),
    );
    const op = result.operations[0] as ImportedTool;
    expect(op.problem).toBeNull();
    expect(op.notes).toEqual([
      "the recursive schema Person was cut where it contains itself",
      "the recursive schema Company was cut where it contains itself",
    ]);
    strictAjv().compile(op.parameters);
  });

  it("gives a problem for a chain of references that is too long or loops on itself", async () => {
    const chain = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        `S${i}`,
        i === 39 ? { type: "string" } : { $ref: `#/components/schemas/S${i + 1}` },
      ]),
    );
    const long = await importOpenApi(
      withSchemas({
        ...chain,
        Root: { type: "object", properties: { v: { $ref: "#/components/schemas/S0" } } },
      }),
    );
    expect(long.operations[0]!.problem).toBe(
      "a chain of $refs is longer than 32 or loops (from #/components/schemas/S0)",
    );
    const loop = await importOpenApi(withSchemas({ Root: { $ref: "#/components/schemas/Root" } }));
    expect(loop.operations[0]!.problem).toBe(
      "a chain of $refs is longer than 32 or loops (from #/components/schemas/Root)",
    );
  });

  it("bounds references that fan out exponentially, in every operation that uses them", async () => {
    // Level i has 12 fields that all reference level i+1: written out, 12^30 nodes.
    const schemas: Doc = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [
        `L${i}`,
        {
          type: "object",
          description: "A level of the tree. ".repeat(10),
          properties: Object.fromEntries(
            Array.from({ length: 12 }, (_, f) => [`f${f}`, { $ref: `#/components/schemas/L${i + 1}` }]),
          ),
        },
      ]),
    );
    schemas.L30 = { type: "string" };
    const result = await importOpenApi(withSchemas(schemas, "#/components/schemas/L0", 300));
    expect(result.operations).toHaveLength(300);
    for (const op of result.operations) {
      if (op.problem !== null) continue;
      expect(JSON.stringify(op.parameters).length).toBeLessThanOrEqual(64 * 1024);
    }
    const ajv = strictAjv();
    ajv.compile((result.operations[0] as ImportedTool).parameters);
    // The work limit stops the import from spending on each of the 300 what it spent on the first.
    const small = await importOpenApi(withSchemas(schemas, "#/components/schemas/L0", 300), {
      maxWorkBytes: 2 * 1024 * 1024,
    });
    expect(small.warnings).toContain(
      "The document's schemas used up the import's work limit: the operations after that point are problems.",
    );
    expect(small.operations.at(-1)!.problem).toBe(
      "not converted: the document's schemas used up the import's work limit before this operation",
    );
  });

  it("survives nesting far deeper than any call stack, inline or through a parsed object with a cycle", async () => {
    const depth = 100_000;
    const deep = `${'{"type":"object","properties":{"a":'.repeat(depth)}{"type":"string"}${"}}".repeat(depth)}`;
    const text = `{"openapi":"3.0.0","info":{"title":"Deep","version":"1"},"paths":{"/d":{"post":{"requestBody":{"content":{"application/json":{"schema":${deep}}}},"responses":{}}}}}`;
    const result = await importOpenApi(text);
    expect(result.operations[0]!.problem).toBeNull();
    strictAjv().compile((result.operations[0] as ImportedTool).parameters);

    const allOfChain = `${'{"allOf":['.repeat(depth)}{"type":"string"}${"]}".repeat(depth)}`;
    const viaAllOf = await importOpenApi(
      text.replace(deep, `{"type":"object","properties":{"a":${allOfChain}}}`),
    );
    expect(viaAllOf.operations[0]!.problem).toBeNull();

    const cyclic: Record<string, unknown> = { type: "object", properties: {} };
    (cyclic.properties as Doc).self = cyclic;
    const fromObject = await importOpenApi({
      openapi: "3.0.0",
      info: { title: "Cyclic", version: "1" },
      paths: {
        "/c": {
          post: { requestBody: { content: { "application/json": { schema: cyclic } } }, responses: {} },
        },
      },
    });
    expect(fromObject.operations[0]!.problem).toBeNull();
  });
});

describe("sizes", () => {
  it("imports the first 2,000 operations and counts the rest in a warning", async () => {
    const paths = Object.fromEntries(
      Array.from({ length: 2600 }, (_, i) => [
        `/items/${i}`,
        { get: { operationId: `getItem${i}`, responses: {} } },
      ]),
    );
    const result = await importOpenApi({
      openapi: "3.0.0",
      info: { title: "Many", version: "1" },
      servers: [{ url: "https://x.example" }],
      paths,
    });
    expect(result.operations).toHaveLength(2000);
    expect(result.operations.at(-1)!.name).toBe("getItem1999");
    expect(result.warnings).toEqual([
      "The document declares 2600 operations; the first 2000 (in document order) were imported.",
    ]);
  });

  it("gives a problem when even a flat list of arguments is over the schema limit", async () => {
    const parameters = Array.from({ length: 1000 }, (_, i) => ({
      name: `field_number_${i}`,
      in: "query",
      description: `Filter on field number ${i} of the record, as exported by the ledger service.`,
      schema: { type: "string" },
    }));
    const result = await importOpenApi({
      openapi: "3.0.0",
      info: { title: "Wide", version: "1" },
      paths: { "/wide": { get: { operationId: "wide", parameters, responses: {} } } },
    });
    expect(result.operations[0]!.problem).toBe(
      "its arguments' JSON Schema is larger than 64 KB even with nested levels summarized",
    );
  });

  it("keeps megabyte-long descriptions to what a model should read", async () => {
    const result = await importOpenApi({
      openapi: "3.0.0",
      info: { title: "Verbose", version: "1" },
      paths: {
        "/v": {
          get: {
            operationId: "verbose",
            description: "word ".repeat(2_000_000),
            parameters: [
              { name: "q", in: "query", description: "query ".repeat(1_000_000), schema: { type: "string" } },
            ],
            responses: {},
          },
        },
      },
    });
    const op = result.operations[0] as ImportedTool;
    expect(op.description.length).toBeLessThanOrEqual(1000);
    expect(JSON.stringify(op.parameters).length).toBeLessThan(1000);
  });
});
