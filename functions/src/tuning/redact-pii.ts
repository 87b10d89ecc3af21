/**
 * Redaction for training data: the platform's redactor (platform/redact.ts) plus rules that trade precision for
 * recall on the two kinds a training file must never carry, email addresses and phone numbers.
 *
 * Why a second pass: the platform's redactor runs on every log line and trace, where a false positive silently
 * damages text people read, so it leaves out what it cannot tell from an ordinary number (an unseparated national
 * number, "name at domain dot com"). A fine-tuning file is different: a model trained on it can repeat what it saw
 * to anyone, and a redacted order number costs the model almost nothing. So here:
 *
 * - Text is first "revealed": Unicode compatibility forms are folded (NFKC: fullwidth `＠` and `４１５`, small `﹫`),
 *   invisible characters are removed (zero-width spaces and joiners, soft hyphens, bidi controls), decimal digits of
 *   other scripts become ASCII digits, and `&#64;`, `&commat;`, `%40` become `@`. Look-alikes cannot hide an
 *   address. When nothing is found the original text is returned untouched, so these changes only ever apply to
 *   text that had personal data in it.
 * - Emails (besides the platform's rule): anything shaped `x@y` with letters or digits on both sides (IP-literal,
 *   `localhost`, reversed and `mailto:` forms included); spaces around the `@`; the spelled-out forms
 *   `name [at] domain [dot] com`, `name (at) domain.com` and `name at domain dot com` (a spelled-out "dot" or a
 *   bracketed "at" is required: plain "look at example.com" is ordinary English and is left alone).
 * - Phones (besides the platform's international, North American and trunk-0 rules): `tel:`, `sms:`,
 *   `callto:` and `wa.me/` links; `00`-prefixed international numbers; `+` numbers in any grouping, `(0)` included;
 *   digit groups with one consistent separator (space, dot, dash, slash) of 8 to 15 digits in at least three groups,
 *   or two groups when the number starts with a trunk `0` or a bracketed area code; a trunk-`0` number of 9 to 13
 *   digits with mixed separators ("030 / 12 34 56-78"); unseparated national numbers
 *   (`0` then 9 to 11 digits; a valid North American 10-digit number, with or without a leading 1); any 6 to 15
 *   digits right after a phone word ("call", "tel", "mobile", "WhatsApp", "my number is", in several languages);
 *   and an extension after a number ("ext. 12", "x12").
 *
 * Left alone on purpose: dates (2026-05-06, 06.05.2026, 05/06/2026), times, amounts with thousands grouping
 * (1 234 567, 1.234.567), IPv4-shaped numbers (the platform redacts addresses), version numbers, years and year
 * ranges, and single numbers of 8 or 9 digits without a phone word (order numbers). The price of the recall: a
 * part number shaped like a phone number (123-456-789) or an ISBN is redacted too.
 *
 * Not covered (a person can still read them; no pattern tells them from prose): numbers written out in words
 * ("four one five..."), addresses described in prose ("my gmail, first name dot last name"), names and postal
 * addresses (as in the platform's redactor), and text inside images or attachments (exports hold text only).
 */
import { redactPii, type PiiKind } from "../platform/redact.js";

export type TrainingRedactionKind = PiiKind;

export interface TrainingRedaction {
  readonly text: string;
  /** How many of each kind were replaced. */
  readonly counts: Partial<Record<TrainingRedactionKind, number>>;
}

/**
 * Characters that render as nothing (or only steer layout) and can split an address without a reader noticing:
 * zero-width spaces and joiners, soft hyphens, bidi controls, variation selectors (Unicode's default-ignorables).
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/** `@` and `.` written as HTML character references or percent-encoded. */
const ENCODED_AT = /&#0*64;|&#x0*40;|&commat;|%40/gi;
const ENCODED_DOT = /&#0*46;|&#x0*2e;|&period;/gi;

/** Decimal digits of any script (after NFKC, which already folds fullwidth and mathematical digits). */
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;

function asciiDigit(ch: string): string {
  // Unicode lays out each script's digits 0..9 contiguously: count back to the zero of this run.
  let code = ch.codePointAt(0) as number;
  let steps = 0;
  while (steps < 9 && /\p{Nd}/u.test(String.fromCodePoint(code - 1))) {
    code--;
    steps++;
  }
  return String(steps);
}

/** Text as a reader sees it, for matching: see the module comment. */
export function reveal(text: string): string {
  return text
    .normalize("NFKC")
    .replace(INVISIBLE, "")
    .replace(ENCODED_AT, "@")
    .replace(ENCODED_DOT, ".")
    .replace(NON_ASCII_DIGIT, asciiDigit);
}

const digitsOf = (s: string): string => s.replace(/\D/g, "");

/** A rule of this module: a pattern and a check on what it matched (false keeps the match). */
interface Rule {
  readonly kind: "email" | "phone";
  readonly pattern: RegExp;
  readonly accept?: (match: string) => boolean;
}

// Label characters of a domain or local part, any script.
const LABEL = String.raw`[\p{L}\p{N}_-]+`;
const LOCAL = String.raw`[\p{L}\p{N}._%+'-]+`;
/** A spelled-out or bracketed "at" and "dot". */
const AT_WORD = String.raw`(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)`;
const DOT_WORD = String.raw`(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)`;

const isDate = (s: string): boolean =>
  /^\d{1,2}([./-])\d{1,2}\1\d{2,4}$/.test(s.trim()) || /^\d{4}([./-])\d{1,2}\1\d{1,2}$/.test(s.trim());

/** Not a phone number for all its digits: dates, thousands grouping, IPv4 shape, year ranges. */
function looksLikeOrdinaryNumber(candidate: string): boolean {
  const s = candidate.trim();
  if (isDate(s)) return true;
  if (/^[1-9]\d{0,2}(?:([ .'\u202F])\d{3})(?:\1\d{3})*$/.test(s)) return true;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(s)) return true;
  if (/^(?:19|20)\d\d[-/](?:19|20)\d\d$/.test(s)) return true;
  return false;
}

const groupsOf = (s: string): string[] => s.split(/[^\d]+/).filter((g) => g !== "");

/** Separated digit groups that make a phone number: see the module comment. */
function separatedPhone(candidate: string): boolean {
  const digits = digitsOf(candidate).length;
  if (digits < 8 || digits > 15 || looksLikeOrdinaryNumber(candidate)) return false;
  const groups = groupsOf(candidate);
  if (groups.length >= 3) return true;
  return candidate.startsWith("(") || candidate.startsWith("0");
}

const inRange = (min: number, max: number) => (m: string) => {
  const n = digitsOf(m).length;
  return n >= min && n <= max;
};

/** Not inside a longer word or number: what may not come right before a number. */
const NUMBER_START = String.raw`(?<![\p{L}\p{N}_+.,/:-])`;
/** What may not come right after one: a letter, a digit, or punctuation that continues the number. */
const NUMBER_END = String.raw`(?![\p{L}\p{N}_]|[.,/:-]\d)`;

/** Words that say a phone number follows (English, French, German, Spanish, Italian, Portuguese, Dutch). */
const PHONE_WORD = String.raw`(?:phone|telephone|tel|mobile|cell(?:phone)?|fax|call(?:\s+me)?(?:\s+on|\s+at)?|ring|text\s+me|sms|whats\s?app|signal|reach\s+me(?:\s+on|\s+at)?|(?:my|his|her|our|their|your|contact|phone|mobile|cell)\s+(?:number|no\.?|nr\.?|#)(?:\s+is)?|t[ée]l[ée]phone|portable|num[ée]ro|handy|telefon(?:nummer)?|rufnummer|tel[ée]fono|m[óo]vil|celular|cellulare|telem[óo]vel|mobiel|bel\s+me)`;

/** Links that dial or message a number: replaced before anything else reads their digits as something else. */
const LINK_RULES: readonly Rule[] = [
  // Links that dial or message a number.
  {
    kind: "phone",
    pattern: /\b(?:tel|sms|callto|facetime(?:-audio)?):\/{0,2}\+?[\d().\- ]*\d/gi,
    accept: inRange(5, 17),
  },
  { kind: "phone", pattern: /\b(?:wa\.me|api\.whatsapp\.com\/send\?phone=)\/?\+?\d{6,15}/gi },
];

/** Rules in order, after the platform's; `anyAtSign` runs last, once the shaped forms have been replaced. */
const RULES: readonly Rule[] = [
  // Spelled-out and bracketed forms: name [at] domain [dot] com, name (at) domain.com, name at domain dot com.
  {
    kind: "email",
    pattern: new RegExp(
      String.raw`(?<![\p{L}\p{N}._%+-])${LOCAL}\s*[\[({<]\s*at\s*[\])}>]\s*${LABEL}(?:(?:${DOT_WORD}|\.)${LABEL})+`,
      "giu",
    ),
  },
  {
    kind: "email",
    pattern: new RegExp(
      String.raw`(?<![\p{L}\p{N}._%+-])${LOCAL}${AT_WORD}${LABEL}(?:(?:${DOT_WORD}|\.)${LABEL})*${DOT_WORD}\p{L}{2,24}\b`,
      "giu",
    ),
  },
  // Spaces around the @: "jane @ example.com", "jane@ example.com".
  {
    kind: "email",
    pattern: new RegExp(
      String.raw`(?<![\p{L}\p{N}._%+-])${LOCAL}\s*@\s*${LABEL}(?:\s?\.\s?${LABEL})*\.\p{L}{2,24}\b`,
      "gu",
    ),
  },
  // IP-literal domains: jane@[192.0.2.1], jane@[IPv6:2001:db8::1].
  // (The platform's rule has already made the address inside the brackets `[ip]`.)
  { kind: "email", pattern: /(?<![\p{L}\p{N}._%+'-])[\p{L}\p{N}._%+'-]+@\[+[^\]\s]{1,64}\]+/gu },
  // International with the 00 prefix: 0049 30 1234567, 0044 (0)20 7946 0958, 004930123456.
  {
    kind: "phone",
    pattern: new RegExp(
      String.raw`${NUMBER_START}00[1-9]\d{0,13}(?:[ .\-/]?\(\d{1,4}\)[ .\-/]?\d{1,12})?(?:[ .\-/]\d{1,12}){0,8}${NUMBER_END}`,
      "gu",
    ),
    accept: inRange(9, 17),
  },
  // + numbers in any grouping the platform's rule does not take: +49 (0)30 1234-567, +44 20 7946 0958 x.
  {
    kind: "phone",
    pattern: new RegExp(
      String.raw`(?<![\p{L}\p{N}_+])\+ ?\d{1,15}(?:[ .\-/]?\(\d{1,5}\)[ .\-/]?\d{1,12})?(?:[ .\-/]\d{1,12}){0,8}${NUMBER_END}`,
      "gu",
    ),
    accept: inRange(7, 15),
  },
  // After a phone word: "call 555-0132", "WhatsApp: 612 345 678", "Tel.: 30 1234567".
  {
    kind: "phone",
    pattern: new RegExp(
      // Digit runs are whole (`(?!\d)`) and separated, so a long run has one reading (no backtracking blow-up).
      String.raw`(?<=\b${PHONE_WORD}\s{0,3}[.:#=-]?\s{0,3}(?:\(\w{0,10}\)\s{0,2})?[:=]?\s{0,3})\(?\d{1,15}(?!\d)\)?(?:(?:[ .\-/]{1,2}|(?<=\))\s?)\(?\d{1,15}(?!\d)\)?){0,8}${NUMBER_END}`,
      "giu",
    ),
    // After a phone word, "612 345 678" is a number to call, not an amount; a date is still a date.
    accept: (m) => inRange(6, 15)(m) && !isDate(m),
  },
  // Digit groups with one consistent separator, or a bracketed area code: 06 12 34 56 78, 0171/1234567,
  // (030) 1234567, 12 34 56 78, 4 1 5 5 5 5 0 1 3 2.
  {
    kind: "phone",
    pattern: new RegExp(
      String.raw`${NUMBER_START}(?:\(\d{1,5}\) ?\d{1,8}(?:([ .\-/])\d{1,8}){0,13}|\d{1,8}([ .\-/])\d{1,8}(?:\2\d{1,8}){0,13})${NUMBER_END}`,
      "gu",
    ),
    accept: separatedPhone,
  },
  // A national number with its trunk 0 and mixed separators: 030 / 12 34 56-78, 0171 - 123 45 67.
  {
    kind: "phone",
    pattern: new RegExp(String.raw`${NUMBER_START}0\d{1,5}(?:[ .\-/]{1,3}\d{1,8}){1,6}${NUMBER_END}`, "gu"),
    accept: (m) => inRange(9, 13)(m) && !isDate(m),
  },
  // Unseparated: a national number with its trunk 0, or a North American one (1 optional).
  {
    kind: "phone",
    pattern: new RegExp(
      String.raw`${NUMBER_START}(?:0[1-9]\d{8,10}|1?[2-9]\d{2}[2-9]\d{6})${NUMBER_END}`,
      "gu",
    ),
  },
  // An extension after a number that was just replaced becomes part of it.
  { kind: "phone", pattern: /\[phone\]\s*(?:,\s*)?(?:ext\.?|extension|x|#)\s?\d{1,6}\b/gi },
];

/** A run of text between spaces and brackets: where `anyAtSign` looks for an address. */
const TOKEN = /[^\s<>()[\]{}"',;]+/g;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Anything else shaped `x@y` (letters or digits on both sides): reversed addresses, `mailto:` links, local hosts.
 * Done token by token rather than with one pattern, which would backtrack quadratically over a long word.
 */
function anyAtSign(text: string): string {
  if (!text.includes("@")) return text;
  return text.replace(TOKEN, (token) => {
    const at = token.indexOf("@");
    if (at < 0) return token;
    const before = token.slice(0, at);
    const after = token.slice(at + 1);
    return HAS_LETTER_OR_DIGIT.test(before) && HAS_LETTER_OR_DIGIT.test(after) ? "[email]" : token;
  });
}

function applyRules(rules: readonly Rule[], text: string): string {
  let out = text;
  for (const rule of rules) {
    out = out.replace(rule.pattern, (match: string) =>
      rule.accept && !rule.accept(match) ? match : `[${rule.kind}]`,
    );
  }
  return out;
}

const PLACEHOLDER = /\[(card|email|iban|ip|phone|secret|ssn)\]/g;

function placeholderCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(PLACEHOLDER))
    counts.set(m[1] as string, (counts.get(m[1] as string) ?? 0) + 1);
  return counts;
}

/**
 * Replaces personal data and credentials in text bound for a training file: everything `redactPii` replaces,
 * and with far higher recall, email addresses (`[email]`) and phone numbers (`[phone]`). See the module comment
 * for what is covered and what is not.
 */
export function redactForTraining(text: string): TrainingRedaction {
  const revealed = reveal(text);
  let out = applyRules(LINK_RULES, revealed);
  out = applyRules(RULES, redactPii(out).text);
  out = anyAtSign(out);
  if (out === revealed) return { text, counts: {} };
  const before = placeholderCounts(text);
  const counts: Partial<Record<TrainingRedactionKind, number>> = {};
  for (const [kind, n] of placeholderCounts(out)) {
    const added = n - (before.get(kind) ?? 0);
    if (added > 0) counts[kind as TrainingRedactionKind] = added;
  }
  return { text: out, counts };
}
