/**
 * Settings per run mode: the local host's own settings (where it listens, where it keeps its data) are read
 * and checked in local mode only. Firebase mode starts whatever the platform running it puts in them: the
 * Functions emulator, for one, sets `PORT` to a value that is not a port number.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("loadConfig in Firebase mode", () => {
  it("ignores the local host's settings, whatever they hold", () => {
    const config = loadConfig({
      ALCHEMIST_MODE: "firebase",
      PORT: "not-a-port",
      HOST: "",
      ALCHEMIST_DATA_DIR: "/nowhere",
      ALCHEMIST_SQLITE_SYNC: "SOMETIMES",
      GCLOUD_PROJECT: "demo-x",
    });
    expect(config.mode).toBe("firebase");
    expect("local" in config).toBe(false);
    // Origins come from the project's Hosting sites, never from PORT.
    expect(config.allowedOrigins).toEqual(["https://demo-x.web.app", "https://demo-x.firebaseapp.com"]);
  });

  it("is the default mode, and starts with PORT unset as well", () => {
    const config = loadConfig({});
    expect(config.mode).toBe("firebase");
    expect(config.projectId).toBe("demo-alchemist");
  });

  it("still refuses its own settings when they are wrong, naming each", () => {
    let message = "";
    try {
      loadConfig({ PORT: "x", MAX_OUTPUT_TOKENS: "many", EMBEDDING_DIMENSIONS: "3" });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration: /);
    expect(message).toContain("MAX_OUTPUT_TOKENS: ");
    expect(message).toContain("EMBEDDING_DIMENSIONS: ");
    expect(message).not.toContain("PORT");
  });
});

describe("loadConfig in local mode", () => {
  it("reads the host's settings, with their defaults", () => {
    const config = loadConfig({ ALCHEMIST_MODE: "local" });
    if (config.mode !== "local") throw new Error("expected local mode");
    expect(config.local).toEqual({
      dataDir: path.resolve("emulator-data", "local"),
      port: 8787,
      host: "127.0.0.1",
      sqliteSync: "NORMAL",
      mcpStdio: {},
    });
    expect(config.allowedOrigins).toEqual(["http://127.0.0.1:8787", "http://localhost:8787"]);
  });

  it("takes the settings given", () => {
    const config = loadConfig({
      ALCHEMIST_MODE: "local",
      PORT: "9000",
      HOST: "0.0.0.0",
      ALCHEMIST_DATA_DIR: "/tmp/alchemist-data",
      ALCHEMIST_SQLITE_SYNC: "FULL",
    });
    if (config.mode !== "local") throw new Error("expected local mode");
    expect(config.local).toEqual({
      dataDir: "/tmp/alchemist-data",
      port: 9000,
      host: "0.0.0.0",
      sqliteSync: "FULL",
      mcpStdio: {},
    });
    expect(config.allowedOrigins).toEqual(["http://127.0.0.1:9000", "http://localhost:9000"]);
  });

  it("reads the stdio MCP servers the operator allows, and refuses a list it cannot read", () => {
    const config = loadConfig({
      ALCHEMIST_MODE: "local",
      ALCHEMIST_MCP_STDIO_ALLOW: '{"files": {"command": "node", "args": ["/srv/files.js"]}}',
    });
    if (config.mode !== "local") throw new Error("expected local mode");
    expect(config.local.mcpStdio).toEqual({ files: { command: "node", args: ["/srv/files.js"], env: {} } });
    expect(() => loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_MCP_STDIO_ALLOW: "files=node" })).toThrow(
      "Invalid configuration: ALCHEMIST_MCP_STDIO_ALLOW: not JSON",
    );
    expect(() =>
      loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_MCP_STDIO_ALLOW: '{"a b": {"command": "node"}}' }),
    ).toThrow(/ALCHEMIST_MCP_STDIO_ALLOW: a b/);
    expect(() =>
      loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_MCP_STDIO_ALLOW: '{"files": {"args": []}}' }),
    ).toThrow(/ALCHEMIST_MCP_STDIO_ALLOW: files\.command/);
    // Firebase mode never reads it.
    expect(loadConfig({ ALCHEMIST_MCP_STDIO_ALLOW: "not json" }).mode).toBe("firebase");
  });

  it.each([
    ["a word", "not-a-port"],
    ["a fraction", "80.5"],
    ["a negative number", "-1"],
    ["a number past 65535", "65536"],
  ])("refuses PORT set to %s, with a message that says what it must be", (_label, port) => {
    expect(() => loadConfig({ ALCHEMIST_MODE: "local", PORT: port })).toThrow(
      "Invalid configuration: PORT: must be a port number (0-65535)",
    );
  });

  it("refuses an unknown SQLite durability", () => {
    expect(() => loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_SQLITE_SYNC: "SOMETIMES" })).toThrow(
      /^Invalid configuration: ALCHEMIST_SQLITE_SYNC: /,
    );
  });
});

describe("loadConfig: Stripe", () => {
  const key = "sk_test_51Hx0123456789abcdef";
  const whsec = "whsec_0123456789abcdef0123456789";

  it("takes no payments by default, with the meter's event name", () => {
    expect(loadConfig({}).stripe).toEqual({
      secretKey: undefined,
      webhookSecret: undefined,
      apiUrl: undefined,
      meterEventName: "alchemist_usage",
      meterId: undefined,
    });
    // Firebase secrets must exist to deploy: `none` stands for unset, as for OPENAI_API_KEY.
    const none = loadConfig({ STRIPE_SECRET_KEY: "none", STRIPE_WEBHOOK_SECRET: "NONE" }).stripe;
    expect([none.secretKey, none.webhookSecret]).toEqual([undefined, undefined]);
  });

  it("reads every setting, the API URL as an origin", () => {
    expect(
      loadConfig({
        STRIPE_SECRET_KEY: key,
        STRIPE_WEBHOOK_SECRET: whsec,
        STRIPE_API_URL: "http://127.0.0.1:12111/",
        STRIPE_METER_EVENT_NAME: "tokens",
        STRIPE_METER_ID: "mtr_123",
      }).stripe,
    ).toEqual({
      secretKey: key,
      webhookSecret: whsec,
      apiUrl: "http://127.0.0.1:12111",
      meterEventName: "tokens",
      meterId: "mtr_123",
    });
  });

  it("refuses a secret key without the webhook's signing secret", () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: key })).toThrow(
      /^Invalid configuration: STRIPE_WEBHOOK_SECRET: must be set when STRIPE_SECRET_KEY is/,
    );
    expect(() => loadConfig({ STRIPE_SECRET_KEY: key, STRIPE_WEBHOOK_SECRET: "none" })).toThrow(
      /STRIPE_WEBHOOK_SECRET: must be set/,
    );
  });

  it("refuses keys of the wrong kind without repeating them", () => {
    let message = "";
    try {
      loadConfig({ STRIPE_SECRET_KEY: "pk_test_publishable123", STRIPE_WEBHOOK_SECRET: "sk_test_oops456" });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("STRIPE_SECRET_KEY: must be a secret or restricted key (sk_... or rk_...)");
    expect(message).toContain(
      "STRIPE_WEBHOOK_SECRET: must be the webhook endpoint's signing secret (whsec_...)",
    );
    expect(message).not.toContain("publishable123");
    expect(message).not.toContain("oops456");
  });

  it.each([
    "api.stripe.com",
    "ftp://api.stripe.com",
    "https://api.stripe.com/v1",
    "https://api.stripe.com?x=1",
  ])("refuses STRIPE_API_URL %s", (url) => {
    expect(() => loadConfig({ STRIPE_API_URL: url })).toThrow(
      "Invalid configuration: STRIPE_API_URL: must be an http(s) origin without a path",
    );
  });
});
