import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TOKEN_LIFETIME_SECONDS } from "./auth.js";
import { DEMO_CREDENTIALS } from "./seed.js";
import {
  body,
  LUCA_READ_ONLY_KEY,
  MARIA_KEY,
  postJson,
  startTestBank,
  type TestBank,
} from "./testing/harness.js";

let bank: TestBank;
beforeEach(async () => {
  bank = await startTestBank();
});
afterEach(() => bank.close());

const { maria, sofia } = DEMO_CREDENTIALS;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
const tokenRequest = (form: Record<string, string>, headers: Record<string, string> = {}) =>
  bank.call("/oauth/token", { method: "POST", headers, body: new URLSearchParams(form) });

describe("API keys", () => {
  it("act for the customer they are bound to", async () => {
    const response = await bank.call("/v1/customers/me", { headers: MARIA_KEY });
    expect(response.status).toBe(200);
    expect(await body(response)).toEqual({
      id: bank.demo.customerIds.maria,
      name: "Maria Schneider",
      email: "maria.schneider@example.com",
      customerSince: "2017-05-02",
    });
    const luca = await body(await bank.call("/v1/customers/me", { headers: LUCA_READ_ONLY_KEY }));
    expect(luca["name"]).toBe("Luca Bianchi");
  });

  it("refuses a wrong key with a 401 problem and a challenge", async () => {
    const response = await bank.call("/v1/accounts", { headers: { "X-API-Key": `${maria.apiKey}x` } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="banking-api"');
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await body(response)).toMatchObject({
      type: "https://banking-api.example/problems/unauthenticated",
      status: 401,
      detail: "The X-API-Key header does not hold a valid API key.",
    });
  });

  it("without any credential the 401 says both ways in", async () => {
    const response = await bank.call("/v1/accounts");
    expect(response.status).toBe(401);
    expect((await body(response))["detail"]).toMatch(/bearer token from POST \/oauth\/token .* X-API-Key/);
  });

  it("a read-only key cannot add payees or send money (403, naming the scope)", async () => {
    const response = await bank.call(
      "/v1/payees",
      postJson(LUCA_READ_ONLY_KEY, { name: "Anna Keller", iban: "DE02120300000000202051" }),
    );
    expect(response.status).toBe(403);
    expect(await body(response)).toMatchObject({
      type: "https://banking-api.example/problems/insufficient-scope",
      requiredScope: "transfers:write",
      detail: "This operation needs the transfers:write scope; the credential has accounts:read.",
    });
  });

  it("are not stored in the clear, nor are client secrets", () => {
    const state = JSON.stringify([bank.demo.authority.apiKeys, [...bank.demo.authority.clients]]);
    for (const secret of [maria.apiKey, maria.clientSecret, sofia.clientSecret]) {
      expect(state).not.toContain(secret);
      expect(state).not.toContain(Buffer.from(secret).toString("hex"));
    }
  });
});

describe("OAuth 2.0 client credentials", () => {
  it("issues a bearer token for client_secret_basic that reads the client's customer", async () => {
    const response = await tokenRequest(
      { grant_type: "client_credentials" },
      { Authorization: basic(maria.clientId, maria.clientSecret) },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const token = await body(response);
    expect(token).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
      token_type: "Bearer",
      expires_in: TOKEN_LIFETIME_SECONDS,
      scope: "accounts:read transfers:write",
    });
    const me = await bank.call("/v1/customers/me", {
      headers: { Authorization: `Bearer ${token["access_token"]}` },
    });
    expect((await body(me))["name"]).toBe("Maria Schneider");
  });

  it("issues a token for client_secret_post, bound to that client's customer only", async () => {
    const token = await bank.token("sofia");
    const headers = { Authorization: `Bearer ${token}` };
    expect((await body(await bank.call("/v1/customers/me", { headers })))["name"]).toBe("Sofia Martins");
    const marias = bank.account("maria", "Everyday account");
    expect((await bank.call(`/v1/accounts/${marias.id}`, { headers })).status).toBe(404);
  });

  it("a token expires after its lifetime with a 401 invalid_token challenge", async () => {
    const headers = { Authorization: `Bearer ${await bank.token("maria")}` };
    bank.advance((TOKEN_LIFETIME_SECONDS - 1) * 1000);
    expect((await bank.call("/v1/accounts", { headers })).status).toBe(200);
    bank.advance(1000);
    const response = await bank.call("/v1/accounts", { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(
      /^Bearer realm="banking-api", error="invalid_token"/,
    );
    expect((await body(response))["detail"]).toBe(
      "The access token expired at 2025-03-14T10:35:00.000Z; request a new one from POST /oauth/token.",
    );
  });

  it("a token narrowed to accounts:read reads but cannot send money", async () => {
    const headers = { Authorization: `Bearer ${await bank.token("maria", "accounts:read")}` };
    expect((await bank.call("/v1/accounts", { headers })).status).toBe(200);
    const response = await bank.call("/v1/transfers", postJson(headers, {}, { "Idempotency-Key": "k1" }));
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer realm="banking-api", error="insufficient_scope", scope="transfers:write"',
    );
  });

  it("refuses a wrong secret or unknown client as invalid_client with a Basic challenge", async () => {
    for (const authorization of [basic(maria.clientId, "guess"), basic("nobody", maria.clientSecret)]) {
      const response = await tokenRequest(
        { grant_type: "client_credentials" },
        { Authorization: authorization },
      );
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="banking-api"');
      expect(await body(response)).toMatchObject({
        type: "https://banking-api.example/problems/token-request-refused",
        status: 401,
        error: "invalid_client",
      });
    }
    const posted = await tokenRequest({ grant_type: "client_credentials", client_id: maria.clientId });
    expect((await body(posted))["error"]).toBe("invalid_client");
  });

  it("refuses two client authentications, other grants and scopes the client may not have", async () => {
    const both = await tokenRequest(
      { grant_type: "client_credentials", client_id: maria.clientId, client_secret: maria.clientSecret },
      { Authorization: basic(maria.clientId, maria.clientSecret) },
    );
    expect(both.status).toBe(400);
    expect((await body(both))["error"]).toBe("invalid_request");

    const credentials = { client_id: maria.clientId, client_secret: maria.clientSecret };
    const password = await tokenRequest({ grant_type: "password", ...credentials });
    expect(await body(password)).toMatchObject({ status: 400, error: "unsupported_grant_type" });

    const scope = await tokenRequest({
      grant_type: "client_credentials",
      scope: "accounts:admin",
      ...credentials,
    });
    expect(await body(scope)).toMatchObject({ status: 400, error: "invalid_scope" });
  });

  it("takes the token request as a form, not JSON", async () => {
    const response = await bank.call(
      "/oauth/token",
      postJson({}, { grant_type: "client_credentials", ...{ client_id: maria.clientId } }),
    );
    expect(response.status).toBe(415);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it("refuses a bearer token and an API key sent together", async () => {
    const token = await bank.token("maria");
    const response = await bank.call("/v1/accounts", {
      headers: { ...MARIA_KEY, Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(401);
  });

  it("refuses a token that was never issued", async () => {
    const response = await bank.call("/v1/accounts", { headers: { Authorization: "Bearer not-a-token" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });
});
