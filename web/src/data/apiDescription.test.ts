import { describe, expect, it } from "vitest";
import { groupOperationsByTag, parseApiDescription, untaggedGroup } from "./apiDescription";

describe("parseApiDescription", () => {
  it("works out which routes need an API key from document and operation security", () => {
    const description = parseApiDescription({
      openapi: "3.1.0",
      info: { title: "Alchemist API", version: "0.1.0" },
      security: [{ apiKey: [] }],
      paths: {
        "/v1/agents": { get: { summary: "inherits the document's requirement" } },
        "/health": { get: { summary: "explicitly public", security: [] } },
        "/v1/widget/config": { get: { summary: "key optional", security: [{ apiKey: [] }, {}] } },
      },
    });
    const needsKey = Object.fromEntries(description.operations.map((op) => [op.path, op.requiresApiKey]));
    expect(needsKey).toEqual({ "/v1/agents": true, "/health": false, "/v1/widget/config": false });
  });

  it("rejects a body that is not an OpenAPI document", () => {
    expect(() => parseApiDescription({ error: { code: "not-found", message: "No route" } })).toThrow(
      "not an OpenAPI document",
    );
  });
});

describe("groupOperationsByTag", () => {
  it("puts undeclared tags after declared ones and untagged routes last", () => {
    const description = parseApiDescription({
      openapi: "3.1.0",
      tags: [{ name: "Knowledge" }],
      paths: {
        "/v1/mcp": { post: { summary: "MCP endpoint" } },
        "/v1/billing/usage": { get: { summary: "Usage", tags: ["Billing"] } },
        "/v1/knowledge-bases": { post: { summary: "Create", tags: ["Knowledge"] } },
      },
    });
    expect(groupOperationsByTag(description).map((g) => g.tag)).toEqual([
      "Knowledge",
      "Billing",
      untaggedGroup,
    ]);
  });
});
