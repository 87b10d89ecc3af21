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
