import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import {
  billingKey,
  billingToolSet,
  crmClient,
  helpCenterToolSet,
  refundInvoiceTool,
} from "../../test/toolFixtures";
import { PlatformRequestError } from "../platform";
import {
  parseCredentialList,
  parseRefreshedToolSet,
  parseToolSetList,
  parseToolTryResult,
  restToolSets,
} from "./toolSets";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("parseToolSetList", () => {
  it("reads a tool set's source, tools and their requests", () => {
    const [billing] = parseToolSetList({ toolSets: [billingToolSet] }, "/v1/tool-sets");
    expect(billing?.source).toEqual(billingToolSet.source);
    expect(billing?.tools.map((t) => [t.name, t.method, t.path, t.sideEffect, t.enabled])).toEqual([
      ["listInvoices", "GET", "/invoices", "read", true],
      ["getInvoice", "GET", "/invoices/{invoiceId}", "read", false],
      ["refundInvoice", "POST", "/invoices/{invoiceId}/refunds", "write", false],
      ["updateCustomer", "PATCH", "/customers/{customerId}", "write", false],
    ]);
  });

  it("reads a tool set an MCP server serves: its source, and each tool's name on the server", () => {
    const [files] = parseToolSetList(
      {
        toolSets: [
          {
            ...billingToolSet,
            source: {
              kind: "mcp",
              url: "https://mcp.example.com/mcp",
              serverName: "files",
              serverVersion: "1.2.0",
              protocolVersion: "2026-07-28",
              headers: {},
              skipped: [],
            },
            tools: [
              { ...refundInvoiceTool, operation: { kind: "mcp", tool: "refund.invoice", headers: {} } },
            ],
          },
        ],
      },
      "/v1/tool-sets",
    );
    expect(files?.source).toMatchObject({
      kind: "mcp",
      serverName: "files",
      url: "https://mcp.example.com/mcp",
    });
    expect(files?.tools.map((t) => [t.method, t.path])).toEqual([["MCP", "refund.invoice"]]);
  });

  it.each([
    ["a list under another key", { sets: [billingToolSet] }, /toolSets/],
    [
      "a tool with an unknown method",
      {
        toolSets: [
          {
            ...billingToolSet,
            tools: [{ ...refundInvoiceTool, operation: { ...refundInvoiceTool.operation, method: "TRACE" } }],
          },
        ],
      },
      /toolSets\.0\.tools\.0\.operation\.method/,
    ],
    [
      "a tool with an unknown side effect",
      { toolSets: [{ ...billingToolSet, tools: [{ ...refundInvoiceTool, sideEffect: "maybe" }] }] },
      /sideEffect/,
    ],
    ["a negative version", { toolSets: [{ ...billingToolSet, latestVersion: -1 }] }, /latestVersion/],
    [
      "skipped operations without reasons",
      {
        toolSets: [
          { ...billingToolSet, source: { ...billingToolSet.source, skipped: [{ operation: "GET /x" }] } },
        ],
      },
      /source\.skipped\.0\.reason/,
    ],
  ])("refuses %s", (_what, body, field) => {
    const parse = () => parseToolSetList(body, "/v1/tool-sets");
    expect(parse).toThrow(PlatformRequestError);
    expect(parse).toThrow(field);
  });
});

describe("parseCredentialList", () => {
  it("reads each kind's placement, user or OAuth client", () => {
    expect(parseCredentialList({ credentials: [billingKey, crmClient] }, "/v1/tool-credentials")).toEqual([
      billingKey,
      crmClient,
    ]);
  });

  it("refuses an answer that carries a secret", () => {
    const parse = () =>
      parseCredentialList({ credentials: [{ ...billingKey, secret: "sk_live_1" }] }, "/v1/tool-credentials");
    expect(parse).toThrow(/secret/);
  });

  it("refuses an unknown kind", () => {
    expect(() =>
      parseCredentialList({ credentials: [{ ...billingKey, kind: "hmac" }] }, "/v1/tool-credentials"),
    ).toThrow(/credentials\.0\.kind/);
  });
});

describe("parseToolTryResult", () => {
  it("reads a failed call, with or without a status", () => {
    expect(parseToolTryResult({ ok: false, status: null, error: "timed out" }, "/x")).toEqual({
      ok: false,
      status: null,
      error: "timed out",
    });
  });

  it("refuses headers that are not text", () => {
    const body = {
      ok: true,
      status: 200,
      output: "{}",
      request: { method: "GET", url: "https://a.example", headers: { "X-Retry": 3 }, body: null },
      attempts: 1,
    };
    expect(() => parseToolTryResult(body, "/x")).toThrow(/request\.headers/);
  });
});

describe("parseRefreshedToolSet", () => {
  const path = "/v1/tool-sets/ts_helpcenter/refresh";

  it("reads the tool set and the names of the tools added, removed and changed", () => {
    const refreshed = parseRefreshedToolSet(
      { ...helpCenterToolSet, added: ["list_categories"], removed: ["get_article"], changed: [] },
      path,
    );
    expect(refreshed.toolSet.source).toMatchObject({ kind: "mcp", serverName: "acme-help-center" });
    expect(refreshed.toolSet.tools.map((t) => [t.name, t.method, t.path])).toEqual([
      ["search_articles", "MCP", "search_articles"],
      ["get_article", "MCP", "get_article"],
      ["create_ticket", "MCP", "create_ticket"],
    ]);
    expect([refreshed.added, refreshed.removed, refreshed.changed]).toEqual([
      ["list_categories"],
      ["get_article"],
      [],
    ]);
  });

  it("refuses a tool set without the report, naming what is missing", () => {
    expect(() => parseRefreshedToolSet({ ...helpCenterToolSet, added: [], removed: [] }, path)).toThrow(
      /POST \/v1\/tool-sets\/ts_helpcenter\/refresh .*not a refreshed tool set \(changed\)/,
    );
  });
});

describe("restToolSets", () => {
  it("switches tools by name with one PATCH", async () => {
    const platform = stubPlatform({ "PATCH /v1/tool-sets/ts_billing": () => jsonResponse(billingToolSet) });
    await restToolSets.updateToolSet("ts_billing", { enabled: { getInvoice: true, listInvoices: false } });
    expect(platform.sent("PATCH /v1/tool-sets/ts_billing").map((r) => r.body)).toEqual([
      { enabled: { getInvoice: true, listInvoices: false } },
    ]);
  });

  it("creates an MCP tool set with one POST and reads the tool set it answers", async () => {
    const platform = stubPlatform({
      "POST /v1/tool-sets/mcp": () => jsonResponse(helpCenterToolSet, 201),
    });
    const toolSet = await restToolSets.connectMcpServer({
      url: "https://help.acme.example/mcp",
      enable: "read",
    });
    expect(toolSet.id).toBe("ts_helpcenter");
    expect(platform.sent("POST /v1/tool-sets/mcp").map((r) => r.body)).toEqual([
      { url: "https://help.acme.example/mcp", enable: "read" },
    ]);
  });

  it("refreshes with an empty body unless told which new tools to switch on", async () => {
    const platform = stubPlatform({
      "POST /v1/tool-sets/ts_helpcenter/refresh": () =>
        jsonResponse({ ...helpCenterToolSet, added: [], removed: [], changed: [] }),
    });
    await restToolSets.refreshToolSet("ts_helpcenter");
    await restToolSets.refreshToolSet("ts_helpcenter", "read");
    expect(platform.sent("POST /v1/tool-sets/ts_helpcenter/refresh").map((r) => r.body)).toEqual([
      {},
      { enable: "read" },
    ]);
  });
});
