/**
 * Secrets tenants hand the platform (a WhatsApp access token and app secret), sealed with the operator's key
 * before they are stored: AES-256-GCM with a random nonce per value, and what the value is for (its record
 * and field) as associated data, so a sealed value copied onto another record or field does not open. The
 * key is `ALCHEMIST_SECRETS_KEY`; in local mode without it, a key made once in the data folder. Sealed values
 * name their key (`kid`), so a rotated key says which key a value needs instead of failing obscurely.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import type { Config } from "./config.js";
import { AppError } from "./errors.js";
import { keyFromFile } from "./key-file.js";

export const sealedSchema = z.object({
  v: z.literal(1),
  kid: z.string(),
  iv: z.string(),
  ct: z.string(),
  tag: z.string(),
});
export type Sealed = z.infer<typeof sealedSchema>;

async function operatorKey(config: Config): Promise<{ kid: string; key: Buffer }> {
  let key: Buffer;
  if (config.secretsKey) {
    key = Buffer.from(config.secretsKey, "base64url");
    if (key.length < 32) {
      throw new AppError("failed-precondition", "ALCHEMIST_SECRETS_KEY must be at least 32 bytes, base64url");
    }
  } else if (config.mode === "local") {
    key = await keyFromFile(path.join(config.local.dataDir, "secrets-key"));
  } else {
    throw new AppError(
      "failed-precondition",
      "Storing secrets needs ALCHEMIST_SECRETS_KEY (32 random bytes, base64url) in Firebase mode",
    );
  }
  const kid = createHash("sha256").update(key).digest("base64url").slice(0, 10);
  return { kid, key: createHash("sha256").update(key).digest() };
}

/** Seals `plaintext` for `context` (e.g. `whatsapp/<connectionId>/accessToken`). */
export async function seal(config: Config, plaintext: string, context: string): Promise<Sealed> {
  const { kid, key } = await operatorKey(config);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    v: 1,
    kid,
    iv: iv.toString("base64url"),
    ct: ct.toString("base64url"),
    tag: cipher.getAuthTag().toString("base64url"),
  };
}

/** Opens a sealed value for the same `context`; a wrong key, context or a tampered value is refused. */
export async function unseal(config: Config, sealed: Sealed, context: string): Promise<string> {
  const { kid, key } = await operatorKey(config);
  if (sealed.kid !== kid) {
    throw new AppError(
      "failed-precondition",
      `A stored secret was sealed with another key (${sealed.kid}); restore that ALCHEMIST_SECRETS_KEY or enter the secret again`,
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64url"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    throw new AppError(
      "failed-precondition",
      "A stored secret does not open (tampered, or moved from its record)",
    );
  }
}
