/**
 * The readings of a passage the injection detector checks. An attacker hides an instruction from filters
 * while keeping it legible to a model: look-alike letters from other scripts, zero-width or invisible
 * "tag" characters, letters spaced or dotted apart, leetspeak, punctuation inside words, base64. Each
 * reading undoes some of that; the detector flags a passage when any reading matches. The readings are
 * for detection only: nothing here changes what is stored, shown or quoted.
 */

/** Characters that render as nothing: zero-width, bidi controls, soft hyphen, joiners, variation selectors. */
const INVISIBLE =
  /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]|\u034f|\u115f|\u1160|\u17b4|\u17b5|\p{Variation_Selector}/gu;

/** Unicode "tag" characters (U+E0020–E007E) mirror ASCII invisibly; models read them, people do not. */
const TAGS = /[\u{e0000}-\u{e007f}]/gu;

const decodeTags = (text: string): string =>
  text.replace(TAGS, (c) => {
    const ascii = (c.codePointAt(0) ?? 0) - 0xe0000;
    return ascii >= 0x20 && ascii <= 0x7e ? String.fromCharCode(ascii) : "";
  });

/** Numeric character references left in Markdown or text (`&#73;gnore`). */
const decodeNumericEntities = (text: string): string =>
  text.replace(/&#(x[0-9a-f]{1,6}|\d{1,7});/gi, (whole, code: string) => {
    const n = code[0]?.toLowerCase() === "x" ? parseInt(code.slice(1), 16) : parseInt(code, 10);
    return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : whole;
  });

/** The passage as a model reads it: NFKC (full-width and mathematical letters fold), invisible characters out. */
export function baseReading(text: string): string {
  return decodeNumericEntities(decodeTags(text)).normalize("NFKC").replace(INVISIBLE, "");
}

/**
 * Letters of other scripts (and small capitals) that look like Latin ones. Only the look-alikes: a
 * Cyrillic or Greek sentence folded this way is gibberish, and the other-language patterns read the
 * base reading, so nothing is lost.
 */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  ѕ: "s",
  і: "i",
  ї: "i",
  ј: "j",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  ү: "y",
  һ: "h",
  ӏ: "l",
  ɡ: "g",
  А: "A",
  В: "B",
  Е: "E",
  К: "K",
  М: "M",
  Н: "H",
  О: "O",
  Р: "P",
  С: "C",
  Т: "T",
  Х: "X",
  І: "I",
  Ј: "J",
  Ѕ: "S",
  // Greek
  α: "a",
  ο: "o",
  ρ: "p",
  ε: "e",
  ι: "i",
  κ: "k",
  ν: "v",
  τ: "t",
  υ: "u",
  χ: "x",
  Α: "A",
  Β: "B",
  Ε: "E",
  Ζ: "Z",
  Η: "H",
  Ι: "I",
  Κ: "K",
  Μ: "M",
  Ν: "N",
  Ο: "O",
  Ρ: "P",
  Τ: "T",
  Υ: "Y",
  Χ: "X",
  // Latin small capitals and other look-alikes
  ᴀ: "a",
  ʙ: "b",
  ᴄ: "c",
  ᴅ: "d",
  ᴇ: "e",
  ғ: "f",
  ɢ: "g",
  ʜ: "h",
  ɪ: "i",
  ᴊ: "j",
  ᴋ: "k",
  ʟ: "l",
  ᴍ: "m",
  ɴ: "n",
  ᴏ: "o",
  ᴘ: "p",
  ʀ: "r",
  ꜱ: "s",
  ᴛ: "t",
  ᴜ: "u",
  ᴠ: "v",
  ᴡ: "w",
  ʏ: "y",
  ᴢ: "z",
  ı: "i",
  ℓ: "l",
  ɑ: "a",
  ɩ: "i",
  ʋ: "v",
  օ: "o",
  ս: "u",
};
const CONFUSABLE = new RegExp(`[${Object.keys(CONFUSABLES).join("")}]`, "g");

/** Look-alike letters of other scripts replaced by the Latin letters they imitate. */
export const foldConfusables = (text: string): string => text.replace(CONFUSABLE, (c) => CONFUSABLES[c] ?? c);

/** Digits and symbols standing for letters, inside a token that also has letters ("1gn0r3", "pr3v10u5"). */
const LEET: Record<string, string> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "8": "b",
  "@": "a",
  $: "s",
  "!": "i",
};
const unleet = (text: string): string =>
  text.replace(/[\p{L}\d@$!]+/gu, (token) =>
    /\p{L}/u.test(token) && /[\d@$!]/.test(token) && !/^[\p{L}]+!+$/u.test(token)
      ? token.replace(/[\d@$!]/g, (c) => LEET[c] ?? c)
      : token,
  );

/**
 * Single letters strung together by one repeated separator ("i g n o r e", "i.g.n.o.r.e", "i-g-n-o-r-e")
 * become the word; a wider gap between runs stays a word break.
 */
const SPACED_RUN = /(?<![\p{L}\p{N}])\p{L}([ .\-_*·•/|])\p{L}(?:\1\p{L})+(?![\p{L}\p{N}])/gu;

/** Diacritics go, so the other-language patterns need not spell every accent. */
const stripMarks = (text: string): string =>
  text
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .normalize("NFC");

/** Addresses keep their punctuation: a URL or an email is a destination, not an obfuscated word. */
const ADDRESS = /(https?:\/\/\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+)/;

function deobfuscate(base: string, hyphen: "" | " "): string {
  return base
    .split(ADDRESS)
    .map((part, i) => (i % 2 === 1 ? part : deobfuscateWords(part, hyphen)))
    .join("");
}

function deobfuscateWords(base: string, hyphen: "" | " "): string {
  let s = stripMarks(foldConfusables(base));
  s = s.replace(SPACED_RUN, (run) => run.replace(/[ .\-_*·•/|]/g, ""));
  // Markdown emphasis around or inside words: "**Ignore** all _previous_ instructions".
  // Code fences (three backticks) stay: they mark an example, which the detector must still see.
  s = s.replace(/[*~]+|(?<!`)`{1,2}(?!`)/g, "");
  s = unleet(s);
  // Punctuation inside a word ("Ig-nore", "in_struc/tions"); runs of it between words ("IGNORE... all").
  s = s.replace(/(?<=\p{L})[-*~^+]+(?=\p{L})/gu, hyphen).replace(/(?<=\p{L})[_/|\\]+(?=\p{L})/gu, " ");
  s = s.replace(/(?<=\p{L})(?:\s*(?:\.{2,}|…|-{2,}|[—–]|!{2,}|\?{2,})\s*)+(?=\p{L})/gu, " ");
  return s;
}

/** Runs of single letters, joined without any break: what a fully spaced-out sentence reads as. */
export function squashedRuns(base: string): string[] {
  const runs: string[] = [];
  const loose = /(?<![\p{L}\p{N}])\p{L}(?:[ .\-_*·•]{1,3}\p{L}){5,}(?![\p{L}\p{N}])/gu;
  for (const m of base.matchAll(loose)) runs.push(m[0].replace(/[^\p{L}]/gu, "").toLowerCase());
  return runs;
}

const BASE64 = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])/g;
/** At most this many encoded blobs are decoded per passage, each up to this many characters. */
const maxBlobs = 20;
const maxBlobChars = 20_000;

/** Base64 (or base64url) blobs that decode to readable text: a way to pass an instruction past filters. */
export function decodedBlobs(base: string): string[] {
  const out: string[] = [];
  for (const m of base.matchAll(BASE64)) {
    if (out.length >= maxBlobs) break;
    const blob = m[0];
    if (blob.length > maxBlobChars || !/[a-z]/.test(blob) || !/[A-Z]/.test(blob)) continue;
    const text = Buffer.from(blob.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
    const printable = text.replace(/[^\x20-\x7e\n\t\u00a0-\uffff]/g, "");
    if (
      text.length >= 12 &&
      printable.length / text.length > 0.95 &&
      /\s/.test(text) &&
      !text.includes("\ufffd")
    )
      out.push(text);
  }
  return out;
}

/** Hex-encoded text ("49676e6f7265…"). */
function decodedHex(base: string): string[] {
  const out: string[] = [];
  for (const m of base.matchAll(/\b(?:[0-9a-f]{2}[\s:]?){16,}\b/gi)) {
    if (out.length >= maxBlobs) break;
    const hex = m[0].replace(/[\s:]/g, "");
    if (hex.length > maxBlobChars || hex.length % 2 !== 0) continue;
    const text = Buffer.from(hex, "hex").toString("utf8");
    if (/^[\x20-\x7e\n\t]+$/.test(text) && /\s/.test(text)) out.push(text);
  }
  return out;
}

/** Escape sequences a model reads as letters: "\u0049gnore", "\x49gnore". */
const unescape = (text: string): string =>
  text
    .replace(/\\u\{?([0-9a-f]{4,5})\}?/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/** ROT13, the oldest trick for text a filter should not read. */
const rot13 = (text: string): string =>
  text.replace(/[a-z]/gi, (c) => {
    const a = c <= "Z" ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - a + 13) % 26) + a);
  });

/** Percent-encoded text ("Ignore%20all%20previous…"), decoded where it decodes. */
function percentDecoded(text: string): string | null {
  if (!/%[0-9a-f]{2}/i.test(text)) return null;
  try {
    return decodeURIComponent(text.replace(/%(?![0-9a-f]{2})/gi, "%25"));
  } catch {
    return null;
  }
}

const TRIGGER = /ignor|disregard|forget|instruction|prompt|system|assistant|password|card|you are now/i;

/** Every reading of `text` the detector checks, the base reading first. */
export function injectionReadings(text: string): string[] {
  const base = baseReading(text);
  const readings = [base, deobfuscate(base, ""), deobfuscate(base, " ")];
  // Reversed text ("snoitcurtsni suoiverp lla erongI") and ROT13 are gibberish for ordinary text; they are
  // checked only when they spell one of the words every instruction signal needs.
  for (const exotic of [rot13(base), [...base].reverse().join("")])
    if (TRIGGER.test(exotic)) readings.push(exotic);
  const percent = percentDecoded(base);
  if (percent !== null) readings.push(percent);
  if (/\\[ux]/i.test(base)) readings.push(unescape(base));
  for (const decoded of [...decodedBlobs(base), ...decodedHex(base)]) {
    const b = baseReading(decoded);
    readings.push(b, deobfuscate(b, " "));
  }
  return [...new Set(readings)];
}
