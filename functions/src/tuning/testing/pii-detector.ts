/**
 * An independent detector of email addresses and phone numbers, for tests of the training redactor: written apart
 * from redact-pii.ts's rules and deliberately blunter, so a leak the redactor's patterns cannot see is still found.
 */

/** Digits of other scripts, by the start of their block: an independent table, not the redactor's method. */
const digitBlocks = [0x0660, 0x06f0, 0x07c0, 0x0966, 0x09e6, 0x0a66, 0x0e50, 0xff10];

/** What a reader would see: compatibility forms folded, invisible format characters gone, digits in ASCII. */
export function readable(text: string): string {
  let out = "";
  for (const ch of text.normalize("NFKC").replace(/[\p{Cf}\u00AD]/gu, "")) {
    const code = ch.codePointAt(0) as number;
    const block = digitBlocks.find((b) => code >= b && code <= b + 9);
    out += block === undefined ? ch : String(code - block);
  }
  return out;
}

/**
 * The detector: anything a person could read as an address or a number to call. An `@` with a letter or digit
 * on both sides (spaces allowed), a spelled-out "at" with a "dot" after it, an encoded `@`; nine or more digits
 * in a row once spaces, dots, dashes, slashes and brackets between them are ignored.
 */
export function leaks(text: string): string[] {
  const seen = readable(text);
  const found: string[] = [];
  for (const m of seen.matchAll(/[\p{L}\p{N}]\s?@\s?[\p{L}\p{N}]/gu)) found.push(`at-sign: ${m[0]}`);
  for (const m of seen.matchAll(/[\w.]+\s*[[(]?\s*\bat\b\s*[\])]?\s*\w+\s*[[(]?\s*\bdot\b/giu))
    found.push(`spelled: ${m[0]}`);
  for (const m of seen.matchAll(/&#0*64;|&#x0*40;|&commat;|%40/gi)) found.push(`encoded: ${m[0]}`);
  for (const m of seen.matchAll(/\d(?:[\s.\-/()]{0,3}\d){8,}/g)) found.push(`digits: ${m[0]}`);
  return found;
}
