/**
 * Acme Corp's Tool Forge in the shapes `/v1/tool-sets` and `/v1/tool-credentials` answer
 * (functions/src/tools/schema.ts): its billing API imported from OpenAPI (invoices read, refunds written, one
 * upload operation skipped), a hand-made status-page tool set, its help center's MCP server, and the billing
 * API's key.
 */
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

const placed = (names: Record<string, "path" | "query" | "body">) =>
  Object.fromEntries(
    Object.entries(names).map(([name, where]) => [name, { in: where, name, style: "form", explode: true }]),
  );

export const listInvoicesTool = {
  name: "listInvoices",
  description: "List a customer's invoices, newest first.",
  parameters: {
    type: "object",
    properties: {
      customerId: { type: "string", description: "The customer's id, such as cus_381" },
      status: { type: "string", enum: ["open", "paid", "void"] },
      limit: { type: "integer", description: "At most this many invoices" },
    },
    required: ["customerId"],
  },
  sideEffect: "read",
  tags: ["invoices"],
  enabled: true,
  timeoutMs: 10_000,
  operation: {
    method: "GET",
    path: "/invoices",
    arguments: placed({ customerId: "query", status: "query", limit: "query" }),
    body: null,
  },
  select: null,
};

export const getInvoiceTool = {
  name: "getInvoice",
  description: "Get one invoice with its lines and payments.",
  parameters: {
    type: "object",
    properties: { invoiceId: { type: "string", description: "The invoice number, such as inv_1042" } },
    required: ["invoiceId"],
  },
  sideEffect: "read",
  tags: ["invoices"],
  enabled: false,
  timeoutMs: 10_000,
  operation: {
    method: "GET",
    path: "/invoices/{invoiceId}",
    arguments: placed({ invoiceId: "path" }),
    body: null,
  },
  select: null,
};

export const refundInvoiceTool = {
  name: "refundInvoice",
  description: "Refund part or all of a paid invoice to the customer's card.",
  parameters: {
    type: "object",
    properties: {
      invoiceId: { type: "string" },
      amount: { type: "number", description: "In euros" },
      notifyCustomer: { type: "boolean" },
    },
    required: ["invoiceId", "amount"],
  },
  sideEffect: "write",
  tags: ["invoices", "refunds"],
  enabled: false,
  timeoutMs: 10_000,
  operation: {
    method: "POST",
    path: "/invoices/{invoiceId}/refunds",
    arguments: placed({ invoiceId: "path", amount: "body", notifyCustomer: "body" }),
    body: { contentType: "application/json", encoding: "json", mode: "properties" },
  },
  select: null,
};

export const updateCustomerTool = {
  name: "updateCustomer",
  description: "Change a customer's billing address.",
  parameters: {
    type: "object",
    properties: {
      customerId: { type: "string" },
      address: {
        type: "object",
        properties: { line1: { type: "string" }, city: { type: "string" }, country: { type: "string" } },
      },
    },
    required: ["customerId", "address"],
  },
  sideEffect: "write",
  tags: ["customers"],
  enabled: false,
  timeoutMs: 10_000,
  operation: {
    method: "PATCH",
    path: "/customers/{customerId}",
    arguments: placed({ customerId: "path", address: "body" }),
    body: { contentType: "application/json", encoding: "json", mode: "properties" },
  },
  select: null,
};

export const billingToolSet = {
  id: "ts_billing",
  name: "Acme Billing API",
  description: "Acme Billing API 2.3.0",
  source: {
    kind: "openapi",
    title: "Acme Billing API",
    specVersion: "3.1.0",
    skipped: [
      {
        operation: "POST /invoices/{invoiceId}/attachments",
        reason: "multipart/form-data bodies (file uploads) cannot be sent by a tool",
      },
    ],
  },
  baseUrl: "https://billing.acme.example/v2",
  credentialId: "cred_billing",
  tools: [listInvoicesTool, getInvoiceTool, refundInvoiceTool, updateCustomerTool],
  latestVersion: 1,
  createdAt: minutesAgo(3 * 24 * 60),
  updatedAt: minutesAgo(60),
};

export const statusToolSet = {
  id: "ts_status",
  name: "Status page",
  description: "",
  source: { kind: "manual" },
  baseUrl: "https://status.acme.example",
  credentialId: null,
  tools: [],
  latestVersion: 0,
  createdAt: minutesAgo(2 * 24 * 60),
  updatedAt: minutesAgo(2 * 24 * 60),
};

/** A tool of the help center's MCP server, as `toolFromMcp` (functions/src/tools/mcp-source.ts) makes one. */
const helpCenterTool = (
  name: string,
  description: string,
  properties: Record<string, unknown>,
  sideEffect: "read" | "write",
  enabled: boolean,
) => ({
  name,
  description,
  parameters: { type: "object", properties, required: Object.keys(properties).slice(0, 1) },
  sideEffect,
  tags: [],
  enabled,
  timeoutMs: 10_000,
  operation: { kind: "mcp", tool: name, headers: {} },
  limits: [],
  select: null,
});

export const searchArticlesTool = helpCenterTool(
  "search_articles",
  "Search the help center's published articles.",
  { query: { type: "string" }, locale: { type: "string", enum: ["en", "fr", "de"] } },
  "read",
  true,
);

export const getArticleTool = helpCenterTool(
  "get_article",
  "Get one article with its body in Markdown.",
  { articleId: { type: "string" } },
  "read",
  true,
);

export const createTicketTool = helpCenterTool(
  "create_ticket",
  "Open a support ticket for a customer.",
  { email: { type: "string" }, subject: { type: "string" }, body: { type: "string" } },
  "write",
  false,
);

export const helpCenterToolSet = {
  id: "ts_helpcenter",
  name: "Acme Help Center",
  description: "acme-help-center 0.9.2 (MCP 2025-11-25)",
  source: {
    kind: "mcp",
    url: "https://help.acme.example/mcp",
    serverName: "acme-help-center",
    serverVersion: "0.9.2",
    protocolVersion: "2025-11-25",
    headers: {},
    skipped: [],
  },
  baseUrl: "https://help.acme.example/mcp",
  credentialId: null,
  tools: [searchArticlesTool, getArticleTool, createTicketTool],
  latestVersion: 2,
  createdAt: minutesAgo(6 * 24 * 60),
  updatedAt: minutesAgo(5 * 24 * 60),
};

export const billingKey = {
  id: "cred_billing",
  name: "Billing API key",
  kind: "api-key",
  placement: { in: "header", name: "X-Api-Key" },
  username: null,
  oauth: null,
  createdAt: minutesAgo(4 * 24 * 60),
  updatedAt: minutesAgo(4 * 24 * 60),
};

export const crmClient = {
  id: "cred_crm",
  name: "CRM client",
  kind: "oauth2-client-credentials",
  placement: null,
  username: null,
  oauth: {
    tokenUrl: "https://crm.acme.example/oauth/token",
    clientId: "studio-agents",
    scopes: ["contacts.read"],
    clientAuth: "basic",
  },
  createdAt: minutesAgo(24 * 60),
  updatedAt: minutesAgo(24 * 60),
};
