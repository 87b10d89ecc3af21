/** Sealing tenants' secrets: what opens, and everything that must not. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { seal, unseal } from "./secrets.js";

const key = (byte: number) => Buffer.alloc(32, byte).toString("base64url");
const local = (env: Record<string, string> = {}) =>
  loadConfig({
    ALCHEMIST_MODE: "local",
    ALCHEMIST_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-secrets-")),
    ...env,
  });

describe("seal and unseal", () => {
  it("open for the same record and field only, and show nothing of the secret when stored", async () => {
    const config = local({ ALCHEMIST_SECRETS_KEY: key(1) });
    const sealed = await seal(config, "EAAG-token", "whatsapp/c1/accessToken");
    expect(JSON.stringify(sealed)).not.toContain("EAAG");
    expect(await unseal(config, sealed, "whatsapp/c1/accessToken")).toBe("EAAG-token");
    // Moved to another connection or field: refused.
    await expect(unseal(config, sealed, "whatsapp/c2/accessToken")).rejects.toThrow(/does not open/);
    await expect(unseal(config, sealed, "whatsapp/c1/appSecret")).rejects.toThrow(/does not open/);
    // Tampered: refused.
    const flipped = {
      ...sealed,
      ct: Buffer.from(Buffer.from(sealed.ct, "base64url").map((b, i) => (i === 0 ? b ^ 1 : b))).toString(
        "base64url",
      ),
    };
    await expect(unseal(config, flipped, "whatsapp/c1/accessToken")).rejects.toThrow(/does not open/);
    // Two seals of one secret differ (a fresh nonce each time).
    expect((await seal(config, "EAAG-token", "x")).ct).not.toBe((await seal(config, "EAAG-token", "x")).ct);
  });

  it("say which key a value needs after the key changed", async () => {
    const sealed = await seal(local({ ALCHEMIST_SECRETS_KEY: key(1) }), "s", "ctx");
    await expect(unseal(local({ ALCHEMIST_SECRETS_KEY: key(2) }), sealed, "ctx")).rejects.toThrow(
      new RegExp(`sealed with another key \\(${sealed.kid}\\)`),
    );
  });

  it("use a key kept in the data folder in local mode, and refuse to seal in Firebase mode without a key", async () => {
    const config = local();
    const sealed = await seal(config, "s", "ctx");
    expect(await unseal(config, sealed, "ctx")).toBe("s");
    expect(config.mode === "local" && fs.existsSync(path.join(config.local.dataDir, "secrets-key"))).toBe(
      true,
    );
    const firebase = loadConfig({ ALCHEMIST_MODE: "firebase", GCLOUD_PROJECT: "demo-x" });
    await expect(seal(firebase, "s", "ctx")).rejects.toThrow(/needs ALCHEMIST_SECRETS_KEY/);
    await expect(seal(local({ ALCHEMIST_SECRETS_KEY: "c2hvcnQ" }), "s", "ctx")).rejects.toThrow(
      /at least 32 bytes/,
    );
  });
});
