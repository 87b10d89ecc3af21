/**
 * A random key kept in a file of local mode's data folder: made once (owner-only), read on every start, so
 * what it protects survives restarts. Two processes starting together agree on one key.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

const cache = new Map<string, Promise<Buffer>>();

async function readKey(file: string, bytes: number): Promise<Buffer> {
  const key = Buffer.from((await fs.readFile(file, "utf8")).trim(), "base64url");
  if (key.length < bytes) {
    throw new Error(`${file} does not hold a ${bytes}-byte key; delete it to make a new one`);
  }
  return key;
}

async function readOrCreate(file: string, bytes: number): Promise<Buffer> {
  try {
    return await readKey(file, bytes);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    // `wx`: if another process made it first, theirs wins and both read the same one.
    await fs.writeFile(file, randomBytes(bytes).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  return readKey(file, bytes);
}

/** The key in `file` (made when missing); a failure (a read-only folder) is tried again on the next call. */
export function keyFromFile(file: string, bytes = 32): Promise<Buffer> {
  let key = cache.get(file);
  if (!key) {
    key = readOrCreate(file, bytes);
    cache.set(file, key);
    key.catch(() => cache.delete(file));
  }
  return key;
}
