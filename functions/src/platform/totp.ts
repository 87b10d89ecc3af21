/**
 * Time-based one-time passwords (RFC 6238, over RFC 4226's HOTP) and the base32 alphabet (RFC 4648) their
 * secrets are written in: what authenticator apps (Google Authenticator, 1Password, Authy...) compute from an
 * `otpauth://totp/...` URI. SHA-1, 6 digits and 30-second steps are what every app supports; the other
 * algorithms are here for the RFC's test vectors.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type TotpAlgorithm = "sha1" | "sha256" | "sha512";

export interface TotpOptions {
  readonly digits?: number;
  /** Seconds per step. */
  readonly period?: number;
  readonly algorithm?: TotpAlgorithm;
}

const defaults = { digits: 6, period: 30, algorithm: "sha1" } as const;

// ----- base32 (RFC 4648 §6) -----------------------------------------------------------------------

const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Base32 without padding, as otpauth URIs carry secrets. */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes base32, ignoring case, spaces, hyphens and trailing `=` (people copy secrets in groups). Throws
 * on any other character, and on leftover bits that are not zero (a truncated or altered secret).
 */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = base32Alphabet.indexOf(char);
    if (index < 0) throw new Error(`Not a base32 character: ${JSON.stringify(char)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  if (bits >= 5 || value !== 0) throw new Error("Not a valid base32 length or ending");
  return Buffer.from(out);
}

// ----- codes --------------------------------------------------------------------------------------

/** HOTP (RFC 4226 §5.3): dynamic truncation of HMAC(key, counter), `digits` decimal digits. */
export function hotp(key: Uint8Array, counter: number, options: TotpOptions = {}): string {
  const digits = options.digits ?? defaults.digits;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(options.algorithm ?? defaults.algorithm, key)
    .update(message)
    .digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The time step a moment falls in (RFC 6238's T, with T0 = 0). */
export function totpStep(atMs: number, options: TotpOptions = {}): number {
  return Math.floor(atMs / 1000 / (options.period ?? defaults.period));
}

/** The code an authenticator shows at `atMs`. */
export function totpCode(key: Uint8Array, atMs: number, options: TotpOptions = {}): string {
  return hotp(key, totpStep(atMs, options), options);
}

/**
 * The step whose code `code` is, looking `window` steps either side of `atMs` (clock drift, and a code typed
 * as it rolled over), or undefined. Only steps after `after` count: a code once accepted cannot be replayed.
 * Every candidate is compared, in constant time, so the answer's timing tells nothing about the code.
 */
export function matchTotp(
  key: Uint8Array,
  code: string,
  atMs: number,
  options: TotpOptions & { readonly window?: number; readonly after?: number } = {},
): number | undefined {
  const digits = options.digits ?? defaults.digits;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return undefined;
  const now = totpStep(atMs, options);
  const window = options.window ?? 1;
  const given = Buffer.from(code, "utf8");
  let found: number | undefined;
  for (let step = now - window; step <= now + window; step++) {
    const same = timingSafeEqual(Buffer.from(hotp(key, step, options), "utf8"), given);
    if (same && step > (options.after ?? -1) && found === undefined) found = step;
  }
  return found;
}

/**
 * The `otpauth://` URI an authenticator app scans (Google's Key Uri Format): the label is
 * `issuer:account`, and the issuer is repeated as a parameter as the format recommends.
 */
export function otpauthUri(input: {
  readonly issuer: string;
  readonly account: string;
  readonly secret: string;
  readonly options?: TotpOptions;
}): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`;
  // Built by hand rather than with URLSearchParams, which writes a space as "+" (apps expect "%20").
  const params = [
    ["secret", input.secret],
    ["issuer", input.issuer],
    ["algorithm", (input.options?.algorithm ?? defaults.algorithm).toUpperCase()],
    ["digits", String(input.options?.digits ?? defaults.digits)],
    ["period", String(input.options?.period ?? defaults.period)],
  ]
    .map(([name, value]) => `${name}=${encodeURIComponent(value as string)}`)
    .join("&");
  return `otpauth://totp/${label}?${params}`;
}
