import { describe, expect, it } from "vitest";
import { toolNamePattern as agentsToolNamePattern } from "../../agents/schema.js";
import { importOpenApi } from "./import.js";
import { type ImportedOperation, type ImportedTool, openApiImportSchema, toolNamePattern } from "./schema.js";
import { strictAjv } from "./testing/strict-schema.js";

type Doc = Record<string, unknown>;

/** A small retail-banking API, the kind of document an editor imports. */
const bankingApi: Doc = {
  openapi: "3.0.3",
  info: { title: "Northwind Bank API", version: "4.2.0" },
  servers: [{ url: "https://{region}.api.northwind.example/v4/", variables: { region: { default: "eu" } } }],
  security: [{ oauth: ["accounts:read"] }],
  components: {
    securitySchemes: {
      oauth: {
        type: "oauth2",
        flows: {
          clientCredentials: {
            tokenUrl: "https://auth.northwind.example/token",
            scopes: { "accounts:read": "Read accounts", "payments:write": "Make payments" },
          },
        },
      },
      partnerKey: { type: "apiKey", in: "header", name: "X-Partner-Key" },
      signIn: {
        type: "oauth2",
        flows: {
          authorizationCode: {
            authorizationUrl: "https://auth.northwind.example/authorize",
            tokenUrl: "https://auth.northwind.example/token",
            scopes: {},
          },
        },
      },
      oidc: {
        type: "openIdConnect",
        openIdConnectUrl: "https://auth.northwind.example/.well-known/openid-configuration",
      },
      token: { type: "http", scheme: "Bearer", bearerFormat: "JWT" },
      basicAuth: { type: "http", scheme: "basic" },
      digest: { type: "http", scheme: "digest" },
      session: { type: "apiKey", in: "cookie", name: "nw_session" },
    },
    parameters: {
      AccountId: {
        name: "accountId",
        in: "path",
        required: true,
        schema: { type: "string", format: "uuid" },
      },
    },
    schemas: {
      Money: {
        type: "object",
        required: ["amount", "currency"],
        properties: {
          amount: { type: "string", pattern: "^\\d+(\\.\\d{1,2})?$", example: "12.50" },
          currency: { type: "string", enum: ["EUR", "GBP", "USD"] },
        },
      },
      Transfer: {
        type: "object",
        required: ["fromAccount", "toIban", "money"],
        properties: {
          id: { type: "string", readOnly: true },
          fromAccount: { type: "string" },
          toIban: { type: "string", maxLength: 34 },
          money: { $ref: "#/components/schemas/Money" },
          reference: { type: "string", nullable: true },
        },
      },
    },
  },
  paths: {
    "/accounts": {
      get: {
        operationId: "listAccounts",
        summary: "List accounts",
        description: "Lists the customer's accounts, <b>newest first</b>.\n\n\n\nPaginated.",
        tags: ["accounts"],
        parameters: [
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
          {
            name: "status",
            in: "query",
            style: "form",
            explode: false,
            schema: { type: "array", items: { type: "string", enum: ["open", "closed"] } },
          },
          {
            name: "X-Request-Id",
            in: "header",
            schema: { type: "string" },
            description: "Idempotency and tracing",
          },
          { name: "Accept", in: "header", schema: { type: "string" } },
          { name: "X-Partner-Key", in: "header", schema: { type: "string" } },
        ],
        responses: { "200": { description: "OK" } },
      },
    },
    "/accounts/{accountId}": {
      parameters: [{ $ref: "#/components/parameters/AccountId" }],
      get: {
        operationId: "getAccount",
        summary: "Get an account",
        responses: { "200": { description: "OK" } },
      },
      delete: {
        operationId: "closeAccount",
        deprecated: true,
        security: [],
        responses: { "204": { description: "Closed" } },
      },
    },
    "/accounts/{accountId}/transfers": {
      post: {
        operationId: "transfers/create",
        summary: "Make a transfer",
        security: [{ oauth: ["payments:write"], partnerKey: [] }, { token: [] }],
        parameters: [{ $ref: "#/components/parameters/AccountId" }],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/Transfer" } } },
        },
        responses: { "201": { description: "Created" } },
      },
    },
  },
};

const tool = (op: ImportedOperation | undefined): ImportedTool => {
  expect(op?.problem, op?.problem ?? "").toBeNull();
  return op as ImportedTool;
};

async function only(doc: Doc): Promise<ImportedOperation> {
  const result = await importOpenApi(doc);
  expect(result.operations).toHaveLength(1);
  return result.operations[0]!;
}

const api = (paths: Doc, extra: Doc = {}): Doc => ({
  openapi: "3.0.3",
  info: { title: "Northwind Bank API", version: "1" },
  servers: [{ url: "https://api.northwind.example" }],
  paths,
  ...extra,
});

describe("importOpenApi: the document", () => {
  it("reads title, versions, servers with their variables, and normalizes the security schemes", async () => {
    const result = await importOpenApi(bankingApi);
    expect(openApiImportSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({
      title: "Northwind Bank API",
      version: "4.2.0",
      specVersion: "3.0.3",
      servers: ["https://eu.api.northwind.example/v4"],
      warnings: [],
    });
    expect(result.securitySchemes).toEqual([
      {
        id: "oauth",
        type: "oauth2",
        flow: "clientCredentials",
        tokenUrl: "https://auth.northwind.example/token",
        refreshUrl: null,
        scopes: { "accounts:read": "Read accounts", "payments:write": "Make payments" },
        description: null,
      },
      { id: "partnerKey", type: "apiKey", in: "header", name: "X-Partner-Key", description: null },
      {
        id: "signIn",
        type: "unsupported",
        declared: "oauth2",
        reason:
          "OAuth 2 with the authorization code flow acts for a signed-in user; only the client credentials flow can be used by an agent",
        description: null,
      },
      {
        id: "oidc",
        type: "unsupported",
        declared: "openIdConnect",
        reason:
          "OpenID Connect (discovery at https://auth.northwind.example/.well-known/openid-configuration) is not supported",
        description: null,
      },
      { id: "token", type: "http", scheme: "bearer", bearerFormat: "JWT", description: null },
      { id: "basicAuth", type: "http", scheme: "basic", bearerFormat: null, description: null },
      {
        id: "digest",
        type: "unsupported",
        declared: "http",
        reason: 'the HTTP authentication scheme "digest" is not supported (bearer and basic are)',
        description: null,
      },
      { id: "session", type: "apiKey", in: "cookie", name: "nw_session", description: null },
    ]);
  });

  it("composes Swagger 2.0 servers from host, basePath and schemes, and its security definitions", async () => {
    const result = await importOpenApi({
      swagger: "2.0",
      info: { title: "Legacy Payments", version: "1.0" },
      host: "payments.example.com",
      basePath: "/v1/",
      schemes: ["https", "http"],
      securityDefinitions: {
        key: { type: "apiKey", in: "query", name: "api_key" },
        basic: { type: "basic" },
        machine: {
          type: "oauth2",
          flow: "application",
          tokenUrl: "https://payments.example.com/oauth/token",
          scopes: { pay: "Pay" },
        },
        person: {
          type: "oauth2",
          flow: "implicit",
          authorizationUrl: "https://payments.example.com/oauth/authorize",
          scopes: {},
        },
      },
      security: [{ key: [] }],
      paths: {
        "/charges": {
          get: { operationId: "listCharges", schemes: ["http"], responses: { "200": { description: "OK" } } },
        },
      },
    });
    expect(result.specVersion).toBe("2.0");
    expect(result.servers).toEqual(["https://payments.example.com/v1", "http://payments.example.com/v1"]);
    expect(result.securitySchemes.map((s) => [s.id, s.type])).toEqual([
      ["key", "apiKey"],
      ["basic", "http"],
      ["machine", "oauth2"],
      ["person", "unsupported"],
    ]);
    const op = tool(result.operations[0]);
    expect(op.servers).toEqual(["http://payments.example.com/v1"]);
    expect(op.security).toEqual([[{ scheme: "key", scopes: [] }]]);
  });

  it("warns about what it could not take in: no server, undeclared schemes, webhooks", async () => {
    const result = await importOpenApi({
      openapi: "3.1.0",
      info: { title: "Hooks", version: "1" },
      security: [{ missingScheme: [] }],
      paths: { "/ping": { get: { responses: { "200": { description: "OK" } } } } },
      webhooks: { paymentSettled: { post: { responses: { "200": { description: "OK" } } } } },
    });
    expect(result.warnings).toEqual([
      "The document names no server: the tools' base URL has to be set by hand.",
      "Webhooks describe calls the API makes to its clients, not operations to call: they were ignored.",
      "Security requirements name schemes the document does not declare: missingScheme.",
    ]);
    expect(result.operations[0]!.security).toEqual([[{ scheme: "missingScheme", scopes: [] }]]);
  });

  it("reads YAML and bytes the same as JSON", async () => {
    const yaml = `
openapi: 3.0.3
info: {title: Northwind Bank API, version: "1"}
servers: [{url: "https://api.northwind.example"}]
paths:
  /accounts/{accountId}:
    get:
      operationId: getAccount
      parameters:
        - {name: accountId, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: OK}}
`;
    const fromYaml = await importOpenApi(yaml);
    const fromJson = await importOpenApi(
      JSON.stringify(
        api({
          "/accounts/{accountId}": {
            get: {
              operationId: "getAccount",
              parameters: [{ name: "accountId", in: "path", required: true, schema: { type: "string" } }],
              responses: { "200": { description: "OK" } },
            },
          },
        }),
      ),
    );
    expect(fromYaml).toEqual(fromJson);
    expect(await importOpenApi(new TextEncoder().encode(yaml))).toEqual(fromYaml);
  });
});

describe("importOpenApi: operations as tools", () => {
  it("names, describes and classifies each operation, with the security that applies", async () => {
    const { operations } = await importOpenApi(bankingApi);
    expect(
      operations.map((o) => ({
        name: o.name,
        method: o.method,
        path: o.path,
        sideEffect: o.sideEffect,
        deprecated: o.deprecated,
        security: o.security,
      })),
    ).toEqual([
      {
        name: "listAccounts",
        method: "GET",
        path: "/accounts",
        sideEffect: "read",
        deprecated: false,
        security: [[{ scheme: "oauth", scopes: ["accounts:read"] }]],
      },
      {
        name: "getAccount",
        method: "GET",
        path: "/accounts/{accountId}",
        sideEffect: "read",
        deprecated: false,
        security: [[{ scheme: "oauth", scopes: ["accounts:read"] }]],
      },
      {
        name: "closeAccount",
        method: "DELETE",
        path: "/accounts/{accountId}",
        sideEffect: "write",
        deprecated: true,
        security: [],
      },
      {
        name: "transfers_create",
        method: "POST",
        path: "/accounts/{accountId}/transfers",
        sideEffect: "write",
        deprecated: false,
        security: [
          [
            { scheme: "oauth", scopes: ["payments:write"] },
            { scheme: "partnerKey", scopes: [] },
          ],
          [{ scheme: "token", scopes: [] }],
        ],
      },
    ]);
    expect(operations[0]!.description).toBe(
      "List accounts\n\nLists the customer's accounts, newest first.\n\nPaginated.",
    );
    expect(operations[0]!.tags).toEqual(["accounts"]);
    expect(operations[2]!.description).toBe("DELETE /accounts/{accountId}");
  });

  it("makes one strict JSON Schema of the parameters and a template placing each argument", async () => {
    const { operations } = await importOpenApi(bankingApi);
    const list = tool(operations[0]);
    expect(list.parameters).toEqual({
      type: "object",
      properties: {
        limit: { type: "integer", minimum: 1, maximum: 100, default: 20 },
        status: { type: "array", items: { type: "string", enum: ["open", "closed"] } },
        "X-Request-Id": { type: "string", description: "Idempotency and tracing" },
      },
      additionalProperties: false,
    });
    expect(list.request).toEqual({
      method: "GET",
      path: "/accounts",
      arguments: {
        limit: {
          in: "query",
          name: "limit",
          style: "form",
          explode: true,
          allowReserved: false,
          contentType: null,
        },
        status: {
          in: "query",
          name: "status",
          style: "form",
          explode: false,
          allowReserved: false,
          contentType: null,
        },
        "X-Request-Id": {
          in: "header",
          name: "X-Request-Id",
          style: "simple",
          explode: false,
          contentType: null,
        },
      },
      body: null,
    });
    // The partner key is a credential, not something the model should make up.
    expect(list.notes).toEqual([
      'the header parameter "X-Partner-Key" carries the API key: the tool\'s credential supplies it',
    ]);
    for (const op of operations) strictAjv().compile(op.parameters!);
  });

  it("spreads an object body's properties as arguments beside the path parameters", async () => {
    const transfer = tool((await importOpenApi(bankingApi)).operations[3]);
    expect(transfer.parameters).toEqual({
      type: "object",
      properties: {
        accountId: { type: "string", format: "uuid" },
        fromAccount: { type: "string" },
        toIban: { type: "string", maxLength: 34 },
        money: {
          type: "object",
          required: ["amount", "currency"],
          properties: {
            amount: { type: "string", pattern: "^\\d+(\\.\\d{1,2})?$", examples: ["12.50"] },
            currency: { type: "string", enum: ["EUR", "GBP", "USD"] },
          },
        },
        reference: { type: ["string", "null"] },
      },
      required: ["accountId", "fromAccount", "toIban", "money"],
      additionalProperties: false,
    });
    expect(transfer.request.arguments).toMatchObject({
      accountId: { in: "path", name: "accountId", style: "simple" },
      fromAccount: { in: "body", property: "fromAccount" },
      money: { in: "body", property: "money" },
    });
    expect(transfer.request.body).toEqual({
      contentType: "application/json",
      encoding: "json",
      required: true,
      fields: {},
    });
  });

  it("keeps the body as one argument when a property clashes with a parameter or the body is not an object", async () => {
    const clash = tool(
      await only(
        api({
          "/accounts/{id}": {
            patch: {
              operationId: "updateAccount",
              parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
              requestBody: {
                content: {
                  "application/merge-patch+json": {
                    schema: {
                      type: "object",
                      properties: { id: { type: "string" }, nickname: { type: "string" } },
                    },
                  },
                },
              },
              responses: { "200": { description: "OK" } },
            },
          },
        }),
      ),
    );
    expect(Object.keys(clash.parameters.properties as Doc)).toEqual(["id", "body"]);
    expect(clash.request.arguments.body).toEqual({ in: "body", property: null });
    expect(clash.request.body?.contentType).toBe("application/merge-patch+json");

    const list = tool(
      await only(
        api({
          "/tags": {
            put: {
              operationId: "replaceTags",
              requestBody: {
                required: true,
                description: "All the tags",
                content: { "application/json": { schema: { type: "array", items: { type: "string" } } } },
              },
              responses: { "200": { description: "OK" } },
            },
          },
        }),
      ),
    );
    expect(list.parameters).toEqual({
      type: "object",
      properties: { body: { type: "array", items: { type: "string" }, description: "All the tags" } },
      required: ["body"],
      additionalProperties: false,
    });
  });

  it("tidies argument names and tells the template their wire names, telling clashing locations apart", async () => {
    const op = tool(
      await only(
        api({
          "/users/{id}/messages": {
            get: {
              operationId: "listMessages",
              parameters: [
                { name: "id", in: "path", required: true, schema: { type: "string" } },
                { name: "id", in: "query", schema: { type: "string" } },
                { name: "$top", in: "query", schema: { type: "integer" } },
                { name: "filter[status]", in: "query", style: "deepObject", schema: { type: "string" } },
                { name: "__proto__", in: "header", schema: { type: "string" } },
              ],
              requestBody: {
                content: {
                  "application/json": {
                    schema: { type: "object", properties: { constructor: { type: "string" } } },
                  },
                },
              },
              responses: { "200": { description: "OK" } },
            },
          },
        }),
      ),
    );
    // Names that are Object.prototype's own stay plain data in every map the import builds.
    expect(Object.keys(op.parameters.properties as Doc)).toEqual([
      "id",
      "id_query",
      "top",
      "filter_status",
      "__proto__",
      "constructor",
    ]);
    expect(Object.getPrototypeOf(op.parameters.properties)).toBe(Object.prototype);
    expect(op.request.arguments.constructor).toEqual({ in: "body", property: "constructor" });
    expect(op.request.arguments.id_query).toMatchObject({ in: "query", name: "id" });
    expect(op.request.arguments.top).toMatchObject({ in: "query", name: "$top" });
    expect(op.request.arguments.filter_status).toMatchObject({
      in: "query",
      name: "filter[status]",
      style: "deepObject",
      explode: false,
    });
    expect(Object.hasOwn(op.request.arguments, "__proto__")).toBe(true);
    strictAjv().compile(op.parameters);
  });

  it("lets the operation's parameters override the path's, and adds an undeclared path placeholder", async () => {
    const op = tool(
      await only(
        api({
          "/branches/{branchId}/atms/{atmId}": {
            parameters: [
              {
                name: "branchId",
                in: "path",
                required: true,
                schema: { type: "integer" },
                description: "Path-level",
              },
            ],
            get: {
              operationId: "getAtm",
              parameters: [
                {
                  name: "branchId",
                  in: "path",
                  required: true,
                  schema: { type: "string" },
                  description: "Branch code",
                },
              ],
              responses: { "200": { description: "OK" } },
            },
          },
        }),
      ),
    );
    expect(op.parameters.properties).toEqual({
      branchId: { type: "string", description: "Branch code" },
      atmId: { type: "string" },
    });
    expect(op.parameters.required).toEqual(["branchId", "atmId"]);
    expect(op.notes).toEqual(["the path parameter {atmId} is not declared and was added as a string"]);
  });

  it("sends parameters declared with content in their media type", async () => {
    const op = tool(
      await only(
        api({
          "/search": {
            get: {
              operationId: "searchTransactions",
              parameters: [
                {
                  name: "filter",
                  in: "query",
                  content: {
                    "application/json": {
                      schema: { type: "object", properties: { minAmount: { type: "number" } } },
                    },
                  },
                },
              ],
              responses: { "200": { description: "OK" } },
            },
          },
        }),
      ),
    );
    expect(op.request.arguments.filter).toEqual({
      in: "query",
      name: "filter",
      style: "form",
      explode: true,
      allowReserved: false,
      contentType: "application/json",
    });
  });

  it("imports form-urlencoded bodies with their fields' encoding", async () => {
    const op = tool(
      await only(
        api({
          "/v1/charges": {
            post: {
              operationId: "PostCharges",
              requestBody: {
                content: {
                  "application/x-www-form-urlencoded": {
                    schema: {
                      type: "object",
                      required: ["amount"],
                      properties: {
                        amount: { type: "integer" },
                        metadata: { type: "object", additionalProperties: { type: "string" } },
                        expand: { type: "array", items: { type: "string" } },
                      },
                    },
                    encoding: {
                      metadata: { style: "deepObject", explode: true },
                      expand: { style: "deepObject", explode: true },
                    },
                  },
                },
              },
              responses: { "200": { description: "OK" } },
            },
          },
        }),
      ),
    );
    expect(op.request.body).toEqual({
      contentType: "application/x-www-form-urlencoded",
      encoding: "form",
      required: false,
      fields: {
        metadata: { style: "deepObject", explode: true, allowReserved: false, contentType: null },
        expand: { style: "deepObject", explode: true, allowReserved: false, contentType: null },
      },
    });
    expect(op.parameters.required).toEqual(["amount"]);
  });

  it("rejects multipart and other bodies it cannot send, required or not", async () => {
    const upload = await only(
      api({
        "/statements": {
          post: {
            operationId: "uploadStatement",
            requestBody: {
              required: true,
              content: {
                "multipart/form-data": {
                  schema: { type: "object", properties: { file: { type: "string", format: "binary" } } },
                },
              },
            },
            responses: { "201": { description: "Created" } },
          },
        },
      }),
    );
    expect(upload).toMatchObject({
      problem: "multipart/form-data request bodies (file uploads) are not supported",
      parameters: null,
      request: null,
    });
    expect(upload.name).toBe("uploadStatement");

    const csv = await only(
      api({
        "/import": {
          post: {
            operationId: "importCsv",
            requestBody: { content: { "text/csv": {} } },
            responses: { "200": { description: "OK" } },
          },
        },
      }),
    );
    expect(csv.problem).toBe("request bodies in text/csv are not supported (JSON and form-urlencoded are)");

    // JSON among the choices is enough.
    const either = tool(
      await only(
        api({
          "/notes": {
            post: {
              operationId: "addNote",
              requestBody: {
                content: {
                  "multipart/form-data": {},
                  "application/json; charset=utf-8": {
                    schema: { type: "object", properties: { text: { type: "string" } } },
                  },
                },
              },
              responses: { "200": { description: "OK" } },
            },
          },
        }),
      ),
    );
    expect(either.request.body?.contentType).toBe("application/json; charset=utf-8");
  });

  it("reads Swagger 2.0 body, formData and collectionFormat with 3.x's meaning", async () => {
    const result = await importOpenApi({
      swagger: "2.0",
      info: { title: "Legacy Payments", version: "1.0" },
      host: "payments.example.com",
      consumes: ["application/json"],
      paths: {
        "/refunds": {
          post: {
            operationId: "createRefund",
            parameters: [
              { in: "body", name: "refund", required: true, schema: { $ref: "#/definitions/Refund" } },
              {
                in: "query",
                name: "expand",
                type: "array",
                items: { type: "string" },
                collectionFormat: "multi",
              },
              {
                in: "query",
                name: "ids",
                type: "array",
                items: { type: "integer" },
                collectionFormat: "pipes",
              },
            ],
            responses: { "200": { description: "OK" } },
          },
        },
        "/login": {
          post: {
            operationId: "login",
            consumes: ["application/x-www-form-urlencoded"],
            parameters: [
              { in: "formData", name: "username", type: "string", required: true },
              {
                in: "formData",
                name: "scopes",
                type: "array",
                items: { type: "string" },
                collectionFormat: "csv",
              },
            ],
            responses: { "200": { description: "OK" } },
          },
        },
        "/avatar": {
          post: {
            operationId: "uploadAvatar",
            consumes: ["multipart/form-data"],
            parameters: [{ in: "formData", name: "image", type: "file", required: true }],
            responses: { "200": { description: "OK" } },
          },
        },
      },
      definitions: {
        Refund: {
          type: "object",
          required: ["charge"],
          properties: {
            charge: { type: "string" },
            amount: { type: "integer", minimum: 1, exclusiveMinimum: false },
          },
        },
      },
    });
    const [refund, login, avatar] = result.operations;
    expect(tool(refund).parameters).toEqual({
      type: "object",
      properties: {
        expand: { type: "array", items: { type: "string" } },
        ids: { type: "array", items: { type: "integer" } },
        charge: { type: "string" },
        amount: { type: "integer", minimum: 1 },
      },
      required: ["charge"],
      additionalProperties: false,
    });
    expect(tool(refund).request.arguments).toMatchObject({
      expand: { in: "query", style: "form", explode: true },
      ids: { in: "query", style: "pipeDelimited", explode: false },
      charge: { in: "body", property: "charge" },
    });
    expect(tool(login).request.body).toEqual({
      contentType: "application/x-www-form-urlencoded",
      encoding: "form",
      required: true,
      fields: { scopes: { style: "form", explode: false, allowReserved: false, contentType: null } },
    });
    expect(tool(login).parameters.required).toEqual(["username"]);
    expect(avatar?.problem).toBe("multipart/form-data request bodies (file uploads) are not supported");
  });

  it("reads optional authentication, path and operation servers, and refuses a tab-separated array", async () => {
    const result = await importOpenApi(
      api(
        {
          "/rates": {
            servers: [{ url: "https://rates.northwind.example/v2" }],
            get: { operationId: "getRates", security: [{}, { token: [] }], responses: {} },
            post: {
              operationId: "setRates",
              servers: [{ url: "https://admin.northwind.example" }],
              responses: {},
            },
          },
          "/legacy": {
            get: {
              operationId: "legacy",
              responses: {},
              parameters: [
                {
                  name: "ids",
                  in: "query",
                  schema: { type: "array", items: { type: "string" } },
                  style: "tabDelimited",
                },
              ],
            },
          },
        },
        { components: { securitySchemes: { token: { type: "http", scheme: "bearer" } } } },
      ),
    );
    const [getRates, setRates, legacy] = result.operations;
    expect(getRates!.security).toEqual([[], [{ scheme: "token", scopes: [] }]]);
    expect(getRates!.servers).toEqual(["https://rates.northwind.example/v2"]);
    expect(setRates!.servers).toEqual(["https://admin.northwind.example"]);
    expect(legacy!.notes).toEqual(['the parameter "ids" declares style "tabDelimited", read as form']);

    const swagger = await only({
      swagger: "2.0",
      info: { title: "Legacy", version: "1" },
      paths: {
        "/l": {
          get: {
            operationId: "tsv",
            parameters: [
              { in: "query", name: "ids", type: "array", items: { type: "string" }, collectionFormat: "tsv" },
            ],
            responses: {},
          },
        },
      },
    });
    expect(swagger.problem).toBe('the parameter "ids" uses collectionFormat tsv, which is not supported');
  });

  it("gives a reason for references it cannot follow, without fetching anything", async () => {
    const result = await importOpenApi(
      api(
        {
          "/a": {
            post: {
              operationId: "external",
              requestBody: {
                content: {
                  "application/json": {
                    schema: { $ref: "https://schemas.example.com/payment.json#/Payment" },
                  },
                },
              },
              responses: {},
            },
          },
          "/b": {
            post: {
              operationId: "otherFile",
              requestBody: {
                content: {
                  "application/json": { schema: { $ref: "common.yaml#/components/schemas/Money" } },
                },
              },
              responses: {},
            },
          },
          "/c": {
            get: {
              operationId: "missing",
              parameters: [{ $ref: "#/components/parameters/Nope" }],
              responses: {},
            },
          },
          "/d": {
            get: {
              operationId: "prototype",
              parameters: [{ $ref: "#/components/parameters/constructor" }],
              responses: {},
            },
          },
        },
        { components: { parameters: {} } },
      ),
    );
    expect(result.operations.map((o) => o.problem)).toEqual([
      "a $ref points outside the document (https://schemas.example.com/payment.json#/Payment); only references within it can be imported",
      "a $ref points outside the document (common.yaml#/components/schemas/Money); only references within it can be imported",
      "a $ref points to nothing in the document: #/components/parameters/Nope",
      "a $ref points to nothing in the document: #/components/parameters/constructor",
    ]);
  });
});

describe("tool names", () => {
  it("uses the same pattern as the agents' tool configuration", () => {
    expect(toolNamePattern.source).toBe(agentsToolNamePattern.source);
  });

  it("sanitizes operationIds, falls back to method and path, and keeps names unique and within 64 characters", async () => {
    const long = `microsoft.graph.${"drives.items.workbook.worksheets.".repeat(3)}charts.getImage`;
    const { operations } = await importOpenApi(
      api({
        "/repos/{owner}/{repo}": {
          get: { operationId: "repos/get", responses: {} },
          patch: { operationId: "repos/get", responses: {} },
          delete: { responses: {} },
        },
        "/": { get: { responses: {} } },
        "/charts": {
          get: { operationId: long, responses: {} },
          post: { operationId: `${long}!`, responses: {} },
        },
        "/weird": {
          get: { operationId: "???", responses: {} },
          put: { operationId: "repos/get_2", responses: {} },
        },
      }),
    );
    const names = operations.map((o) => o.name);
    // Methods in a path item are taken in a fixed order (get, put, post, delete, options, head, patch, trace).
    expect(names.slice(0, 4)).toEqual(["repos_get", "delete_repos_owner_repo", "repos_get_2", "get"]);
    expect(names[4]).toMatch(/^microsoft_graph_drives_items_workbook_worksheets_drives_i_[0-9a-z]+$/);
    expect(names[4]!.length).toBeLessThanOrEqual(64);
    expect(names[5]).not.toBe(names[4]);
    expect(names[6]).toMatch(/^get_[0-9a-z]+$/);
    expect(names[7]).toBe("repos_get_2_2");
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(toolNamePattern);
  });

  it("cuts long descriptions at a word, within the tool configuration's 1,000 characters", async () => {
    const op = await only(
      api({
        "/report": {
          get: {
            operationId: "report",
            summary: "Monthly report",
            description: "The statement of the month. ".repeat(100),
            responses: {},
          },
        },
      }),
    );
    expect(op.description.length).toBeLessThanOrEqual(1000);
    expect(op.description.startsWith("Monthly report\n\nThe statement of the month.")).toBe(true);
    expect(op.description.endsWith("month.…")).toBe(true);
  });
});
