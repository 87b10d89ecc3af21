import { describe, expect, it } from "vitest";
import { z } from "zod";
import { importOpenApi } from "./import.js";
import { strictAjv } from "./testing/strict-schema.js";

type Schema = Record<string, unknown>;

/**
 * Imports a payments API whose `createPayment` body has one property, `value`, with `schema`, and returns
 * what `value` became. Every result is held to the strict validator and to the agents' zod validator.
 */
async function converted(
  schema: unknown,
  options: { openapi?: string; schemas?: Schema } = {},
): Promise<{ value: Schema; notes: string[]; parameters: Schema }> {
  const result = await importOpenApi({
    openapi: options.openapi ?? "3.0.3",
    info: { title: "Payments", version: "2.1.0" },
    paths: {
      "/payments": {
        post: {
          operationId: "createPayment",
          requestBody: {
            required: true,
            content: { "application/json": { schema: { type: "object", properties: { value: schema } } } },
          },
          responses: { "201": { description: "Created" } },
        },
      },
    },
    components: { schemas: options.schemas ?? {} },
  });
  const op = result.operations[0]!;
  expect(op.problem).toBeNull();
  const parameters = op.parameters as Schema;
  strictAjv().compile(parameters);
  z.fromJSONSchema(parameters as Parameters<typeof z.fromJSONSchema>[0]);
  const value = (parameters.properties as Record<string, Schema>).value!;
  return { value, notes: op.notes, parameters };
}

describe("OpenAPI schema → JSON Schema 2020-12", () => {
  it("inlines local references, unescaping ~0, ~1 and percent-encoding in the pointer", async () => {
    const { value } = await converted(
      { $ref: "#/components/schemas/money~1amount~0v2" },
      {
        schemas: {
          "money/amount~v2": { type: "string", pattern: "^\\d+\\.\\d{2}$", description: "Decimal amount" },
        },
      },
    );
    expect(value).toEqual({ type: "string", pattern: "^\\d+\\.\\d{2}$", description: "Decimal amount" });

    const encoded = await converted(
      { $ref: "#/components/schemas/Currency%20Code" },
      { schemas: { "Currency Code": { type: "string", enum: ["EUR", "USD"] } } },
    );
    expect(encoded.value).toEqual({ type: "string", enum: ["EUR", "USD"] });
  });

  it("cuts a recursive schema where it contains itself, keeping its type and saying so", async () => {
    const { value, notes } = await converted(
      { $ref: "#/components/schemas/Category" },
      {
        schemas: {
          Category: {
            type: "object",
            properties: {
              name: { type: "string" },
              children: { type: "array", items: { $ref: "#/components/schemas/Category" } },
            },
          },
        },
      },
    );
    const children = (value.properties as Record<string, Schema>).children!;
    expect(children.type).toBe("array");
    const cut = children.items as Schema;
    expect(cut.type).toBe("object");
    expect(cut.properties).toBeUndefined();
    expect(String(cut.description)).toContain("recursive Category");
    expect(notes).toContain("the recursive schema Category was cut where it contains itself");
  });

  it("reads 3.0's nullable as a null type, a null enum value, or a null alternative", async () => {
    expect((await converted({ type: "string", nullable: true })).value).toEqual({ type: ["string", "null"] });
    expect((await converted({ type: "string", enum: ["card", "sepa"], nullable: true })).value).toEqual({
      type: ["string", "null"],
      enum: ["card", "sepa", null],
    });
    const { value } = await converted(
      { allOf: [{ $ref: "#/components/schemas/Address" }], nullable: true, description: "Billing address" },
      { schemas: { Address: { type: "object", properties: { city: { type: "string" } } } } },
    );
    expect(value).toEqual({
      description: "Billing address",
      anyOf: [{ allOf: [{ type: "object", properties: { city: { type: "string" } } }] }, { type: "null" }],
    });
  });

  it("turns example into examples and keeps 3.1's examples", async () => {
    expect((await converted({ type: "string", example: "EUR" })).value).toEqual({
      type: "string",
      examples: ["EUR"],
    });
    const v31 = await converted({ type: "integer", examples: [100, 250] }, { openapi: "3.1.0" });
    expect(v31.value).toEqual({ type: "integer", examples: [100, 250] });
  });

  it("converts boolean exclusive bounds to 2020-12 numbers and keeps numeric ones", async () => {
    expect(
      (await converted({ type: "number", minimum: 0, exclusiveMinimum: true, maximum: 100 })).value,
    ).toEqual({
      type: "number",
      exclusiveMinimum: 0,
      maximum: 100,
    });
    expect((await converted({ type: "number", maximum: 5, exclusiveMaximum: false })).value).toEqual({
      type: "number",
      maximum: 5,
    });
    const v31 = await converted({ type: "number", exclusiveMinimum: 0 }, { openapi: "3.1.0" });
    expect(v31.value).toEqual({ type: "number", exclusiveMinimum: 0 });
  });

  it("keeps allOf, anyOf and oneOf, and reads oneOf with a discriminator as anyOf", async () => {
    const schemas = {
      Card: {
        type: "object",
        required: ["kind"],
        properties: { kind: { type: "string" }, last4: { type: "string" } },
      },
      Iban: {
        type: "object",
        required: ["kind"],
        properties: { kind: { type: "string" }, iban: { type: "string" } },
      },
    };
    const plain = await converted(
      { oneOf: [{ $ref: "#/components/schemas/Card" }, { $ref: "#/components/schemas/Iban" }] },
      { schemas },
    );
    expect((plain.value.oneOf as unknown[]).length).toBe(2);
    const discriminated = await converted(
      {
        oneOf: [{ $ref: "#/components/schemas/Card" }, { $ref: "#/components/schemas/Iban" }],
        discriminator: { propertyName: "kind" },
      },
      { schemas },
    );
    expect(discriminated.value.oneOf).toBeUndefined();
    expect((discriminated.value.anyOf as Schema[]).map((s) => Object.keys(s.properties as Schema))).toEqual([
      ["kind", "last4"],
      ["kind", "iban"],
    ]);
    expect(discriminated.value.discriminator).toBeUndefined();
  });

  it("drops OpenAPI-only keywords and removes readOnly properties from requests, keeping writeOnly ones", async () => {
    const { value } = await converted({
      type: "object",
      required: ["id", "amount", "pin"],
      xml: { name: "payment" },
      externalDocs: { url: "https://docs.example.com/payments" },
      "x-internal": true,
      properties: {
        id: { type: "string", readOnly: true },
        amount: { type: "integer", minimum: 1 },
        pin: { type: "string", writeOnly: true },
      },
    });
    expect(value).toEqual({
      type: "object",
      required: ["amount", "pin"],
      properties: { amount: { type: "integer", minimum: 1 }, pin: { type: "string", writeOnly: true } },
    });
  });

  it("drops patterns a validator cannot compile or that backtrack catastrophically, with a note", async () => {
    const pcre = await converted({ type: "string", pattern: "(?i)^[a-z]+$" });
    expect(pcre.value).toEqual({ type: "string" });
    expect(pcre.notes.some((n) => n.includes("(?i)^[a-z]+$"))).toBe(true);
    const evil = await converted({ type: "string", pattern: "^(a+)+$" });
    expect(evil.value).toEqual({ type: "string" });
    expect((await converted({ type: "string", pattern: "^[A-Z]{3}$" })).value.pattern).toBe("^[A-Z]{3}$");
  });

  it("gives type-specific keywords their type, and drops the ones a declared type makes inert", async () => {
    expect((await converted({ properties: { iban: { type: "string" } } })).value).toEqual({
      type: "object",
      properties: { iban: { type: "string" } },
    });
    expect((await converted({ type: "string", minimum: 1, maxLength: 34 })).value).toEqual({
      type: "string",
      maxLength: 34,
    });
    // Members that all declare a type keep the meaning exactly: the union, not a guess from the keyword.
    expect((await converted({ anyOf: [{ type: "string" }, { type: "null" }], maxLength: 3 })).value).toEqual({
      type: ["string", "null"],
      maxLength: 3,
      anyOf: [{ type: "string" }, { type: "null" }],
    });
    expect((await converted({ format: "int64" })).value).toEqual({ type: "integer", format: "int64" });
  });

  it("declares required names that only another member defines, without constraining them", async () => {
    const { value } = await converted({
      allOf: [{ type: "object", properties: { amount: { type: "integer" } } }],
      required: ["amount"],
    });
    expect(value).toEqual({
      type: "object",
      required: ["amount"],
      properties: { amount: {} },
      allOf: [{ type: "object", properties: { amount: { type: "integer" } } }],
    });
  });

  it("reads 3.1: type lists, const, annotations beside a $ref, constraints beside a $ref, tuples", async () => {
    const schemas = { Reference: { type: "string", maxLength: 35, description: "Payment reference" } };
    const opts = { openapi: "3.1.0", schemas };
    expect((await converted({ type: ["string", "null"], const: "EUR" }, opts)).value).toEqual({
      type: ["string", "null"],
      const: "EUR",
    });
    expect(
      (await converted({ $ref: "#/components/schemas/Reference", description: "Shown to the payee" }, opts))
        .value,
    ).toEqual({
      type: "string",
      maxLength: 35,
      description: "Shown to the payee",
    });
    expect((await converted({ $ref: "#/components/schemas/Reference", minLength: 5 }, opts)).value).toEqual({
      allOf: [
        { type: "string", maxLength: 35, description: "Payment reference" },
        { type: "string", minLength: 5 },
      ],
    });
    const tuple = await converted(
      { type: "array", prefixItems: [{ type: "number" }, { type: "number" }], items: false },
      opts,
    );
    expect(tuple.value).toEqual({
      type: "array",
      items: { anyOf: [{ type: "number" }, { type: "number" }, false] },
    });
  });

  it("reads Swagger 2.0's x-nullable like 3.0's nullable", async () => {
    const result = await importOpenApi({
      swagger: "2.0",
      info: { title: "Ledger", version: "1" },
      paths: {
        "/entries": {
          post: {
            operationId: "addEntry",
            parameters: [
              { in: "body", name: "entry", required: true, schema: { $ref: "#/definitions/Entry" } },
            ],
            responses: { "200": { description: "OK" } },
          },
        },
      },
      definitions: {
        Entry: { type: "object", properties: { memo: { type: "string", "x-nullable": true } } },
      },
    });
    const parameters = result.operations[0]!.parameters as Schema;
    expect(parameters.properties).toEqual({ memo: { type: ["string", "null"] } });
    strictAjv().compile(parameters);
  });

  it("drops keywords the platform cannot enforce, loosening rather than tightening", async () => {
    const { value, notes } = await converted({
      type: "object",
      properties: { method: { type: "string" }, iban: { type: "string" } },
      not: { required: ["iban"] },
      if: { properties: { method: { const: "sepa" } } },
      then: { required: ["iban"] },
    });
    expect(value).toEqual({
      type: "object",
      properties: { method: { type: "string" }, iban: { type: "string" } },
    });
    expect(notes.some((n) => n.startsWith("`not` constraints were dropped"))).toBe(true);
  });

  it("drops an enumeration too large to keep rather than cutting it", async () => {
    const countries = Array.from({ length: 3000 }, (_, i) => `C${i}`);
    const { value, notes } = await converted({ type: "string", enum: countries });
    expect(value).toEqual({ type: "string" });
    expect(notes).toContain("an enumeration of 3000 values was too large to keep and was dropped");
  });

  it("summarizes deep levels to keep a tool's schema under 64 KB, and says so", async () => {
    // Six levels of twelve fields, each with a long description: far over 64 KB when written out in full.
    const level = (depth: number): Schema => {
      if (depth === 0) return { type: "string", description: "A field of the ledger export. ".repeat(8) };
      const inner = level(depth - 1);
      return {
        type: "object",
        description: `Level ${depth} of the export`,
        properties: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`field${i}`, inner])),
      };
    };
    const { parameters, notes } = await converted(level(6));
    expect(JSON.stringify(parameters).length).toBeLessThanOrEqual(64 * 1024);
    expect(notes).toContain("the arguments' schema was simplified to fit 64 KB");
  });
});
