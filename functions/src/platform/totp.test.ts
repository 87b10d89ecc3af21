/** TOTP against RFC 6238's own test vectors, base32 against RFC 4648's, and the acceptance window. */
import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totpCode, totpStep } from "./totp.js";

// RFC 6238 Appendix B: the seed is ASCII "1234567890" repeated to the hash's block-friendly length.
const seeds = {
  sha1: Buffer.from("12345678901234567890", "ascii"),
  sha256: Buffer.from("12345678901234567890123456789012", "ascii"),
  sha512: Buffer.from("1234567890123456789012345678901234567890123456789012345678901234", "ascii"),
};
const vectors: [seconds: number, sha1: string, sha256: string, sha512: string][] = [
  [59, "94287082", "46119246", "90693936"],
  [1111111109, "07081804", "68084774", "25091201"],
  [1111111111, "14050471", "67062674", "99943326"],
  [1234567890, "89005924", "91819424", "93441116"],
  [2000000000, "69279037", "90698825", "38618901"],
  [20000000000, "65353130", "77737706", "47863826"],
];

describe("totpCode", () => {
  it.each(vectors)("matches RFC 6238 Appendix B at T = %i s", (seconds, sha1, sha256, sha512) => {
    const at = seconds * 1000;
    expect(totpCode(seeds.sha1, at, { digits: 8 })).toBe(sha1);
    expect(totpCode(seeds.sha256, at, { digits: 8, algorithm: "sha256" })).toBe(sha256);
    expect(totpCode(seeds.sha512, at, { digits: 8, algorithm: "sha512" })).toBe(sha512);
  });

  it("matches RFC 4226 Appendix D's HOTP values for counters 0 to 3", () => {
    expect([0, 1, 2, 3].map((c) => hotp(seeds.sha1, c))).toEqual(["755224", "287082", "359152", "969429"]);
  });

  it("keeps leading zeros, and changes every 30 seconds", () => {
    expect(totpCode(seeds.sha1, 1111111109 * 1000, { digits: 8 })).toMatch(/^0/);
    expect(totpStep(59_999)).toBe(1);
    expect(totpStep(60_000)).toBe(2);
  });
});

describe("matchTotp", () => {
  const key = seeds.sha1;
  const now = 1_700_000_000_000;
  const step = totpStep(now);

  it("accepts the current code and one step either side, and answers its step", () => {
    expect(matchTotp(key, hotp(key, step), now)).toBe(step);
    expect(matchTotp(key, hotp(key, step - 1), now)).toBe(step - 1);
    expect(matchTotp(key, hotp(key, step + 1), now)).toBe(step + 1);
  });

  it("refuses codes two steps away, codes of another key and anything that is not six digits", () => {
    expect(matchTotp(key, hotp(key, step - 2), now)).toBeUndefined();
    expect(matchTotp(key, hotp(key, step + 2), now)).toBeUndefined();
    expect(matchTotp(seeds.sha256, hotp(key, step), now)).toBeUndefined();
    for (const bad of ["", "12345", "1234567", "12345a", " 123456", "１２３４５６"]) {
      expect(matchTotp(key, bad, now), bad).toBeUndefined();
    }
  });

  it("refuses a step already used (a replay), but a later one still works", () => {
    expect(matchTotp(key, hotp(key, step), now, { after: step })).toBeUndefined();
    expect(matchTotp(key, hotp(key, step - 1), now, { after: step })).toBeUndefined();
    expect(matchTotp(key, hotp(key, step + 1), now, { after: step })).toBe(step + 1);
  });
});

describe("base32", () => {
  // RFC 4648 §10, without the padding otpauth URIs leave out.
  it.each([
    ["", ""],
    ["f", "MY"],
    ["fo", "MZXQ"],
    ["foo", "MZXW6"],
    ["foob", "MZXW6YQ"],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI"],
  ])("encodes %j as %s and back", (text, encoded) => {
    expect(base32Encode(Buffer.from(text))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(text);
  });

  it("decodes what people type: lowercase, groups, padding", () => {
    expect(base32Decode("mzxw 6ytb-oi======").toString()).toBe("foobar");
  });

  it("round-trips random secrets of every length", () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n * 11) & 255));
      expect(base32Decode(base32Encode(bytes)).equals(bytes)).toBe(true);
    }
  });

  it("refuses characters outside the alphabet and impossible lengths or endings", () => {
    for (const bad of ["MZXW1", "MZXW8", "M", "MZX", "MZXW6YTBO", "MZ"]) {
      expect(() => base32Decode(bad), bad).toThrow();
    }
  });
});

describe("otpauthUri", () => {
  it("names the issuer and account and carries the secret and parameters", () => {
    const uri = otpauthUri({ issuer: "Alchemist Studio", account: "ada@example.com", secret: "MZXW6YTBOI" });
    expect(uri).toBe(
      "otpauth://totp/Alchemist%20Studio:ada%40example.com?secret=MZXW6YTBOI&issuer=Alchemist%20Studio" +
        "&algorithm=SHA1&digits=6&period=30",
    );
  });
});
