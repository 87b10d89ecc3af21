import { describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS } from "./seed.js";
import { DEFAULT_PORT, portFromEnvironment, startBank } from "./service.js";
import { TEST_NOW } from "./testing/harness.js";

describe("starting the demo bank", () => {
  it("listens on loopback and prints its URL, the OpenAPI URL and the demo credentials", async () => {
    const bank = await startBank({ port: 0, clock: () => TEST_NOW });
    try {
      expect(bank.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(bank.banner).toContain(`listening on ${bank.baseUrl}`);
      expect(bank.banner).toContain(`${bank.baseUrl}/openapi.json`);
      for (const secret of [
        DEMO_CREDENTIALS.maria.apiKey,
        DEMO_CREDENTIALS.maria.clientId,
        DEMO_CREDENTIALS.maria.clientSecret,
      ]) {
        expect(bank.banner).toContain(secret);
      }
      const response = await fetch(`${bank.baseUrl}/v1/accounts`, {
        headers: { "X-API-Key": DEMO_CREDENTIALS.maria.apiKey },
      });
      expect(response.status).toBe(200);
    } finally {
      await bank.close();
    }
  });

  it("seeds the same bank on every start", async () => {
    const [first, second] = await Promise.all([
      startBank({ port: 0, clock: () => TEST_NOW }),
      startBank({ port: 0, clock: () => TEST_NOW }),
    ]);
    try {
      const snapshot = (bank: typeof first) =>
        JSON.stringify([...bank.demo.bank.accounts.values(), ...bank.demo.bank.transactions.values()]);
      expect(snapshot(first)).toBe(snapshot(second));
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("reads BANK_PORT, defaulting to 8791", () => {
    expect(portFromEnvironment(undefined)).toBe(DEFAULT_PORT);
    expect(portFromEnvironment("")).toBe(8791);
    expect(portFromEnvironment("9000")).toBe(9000);
    expect(portFromEnvironment("0")).toBe(0);
    expect(() => portFromEnvironment("http")).toThrow(/BANK_PORT must be a port number/);
    expect(() => portFromEnvironment("70000")).toThrow(/BANK_PORT/);
  });
});
