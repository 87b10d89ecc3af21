import { describe, expect, it } from "vitest";
import { listInvoicesTool, updateCustomerTool } from "../test/toolFixtures";
import { argumentFieldsOf, prettyOutput, readArgumentsJson, readArgumentValues } from "./toolSets";

describe("argumentFieldsOf", () => {
  it("makes a field of each plain argument, with its type, choices and whether it is required", () => {
    expect(argumentFieldsOf(listInvoicesTool.parameters)).toEqual([
      {
        name: "customerId",
        description: "The customer's id, such as cus_381",
        required: true,
        type: "string",
      },
      { name: "status", description: "", required: false, type: "enum", options: ["open", "paid", "void"] },
      { name: "limit", description: "At most this many invoices", required: false, type: "integer" },
    ]);
  });

  it("gives up on objects and arrays, for the JSON editor", () => {
    expect(argumentFieldsOf(updateCustomerTool.parameters)).toBeUndefined();
    expect(argumentFieldsOf({ type: "object", properties: { ids: { type: "array" } } })).toBeUndefined();
  });
});

describe("readArgumentValues", () => {
  const fields = argumentFieldsOf(listInvoicesTool.parameters) ?? [];

  it("converts numbers and leaves out what was not given", () => {
    expect(readArgumentValues(fields, { customerId: " cus_381 ", limit: "5", status: "" })).toEqual({
      arguments: { customerId: "cus_381", limit: 5 },
    });
  });

  it("says which field is missing or not a whole number", () => {
    expect(readArgumentValues(fields, { limit: "2.5" })).toEqual({
      errors: { customerId: "Required.", limit: "A whole number." },
    });
  });
});

describe("readArgumentsJson and prettyOutput", () => {
  it("accepts an object and refuses anything else", () => {
    expect(readArgumentsJson('{"a":1}')).toEqual({ arguments: { a: 1 } });
    expect(readArgumentsJson("[1]")).toEqual({ problem: "The arguments are a JSON object, like {}." });
    expect(readArgumentsJson("{")).toHaveProperty("problem");
  });

  it("indents JSON and leaves text as it is", () => {
    expect(prettyOutput('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyOutput("plain text")).toBe("plain text");
  });
});
