/**
 * Redaction of personal data and credentials: `redactPii` / `redactDeep` replace them with typed
 * placeholders (`[email]`, `[card]`…). The logger runs every line through it, and the accountability layer
 * runs traces through it (see accountability/guardrails.ts, which re-exports it).
 *
 * Tuned for precision: a false positive silently damages legitimate text (a redacted order number), so
 * numbers must have the shape of the thing and, where one exists, a valid checksum (Luhn for cards,
 * mod-97 for IBANs). The price is recall: unseparated national phone numbers, IPv6 addresses, names and
 * postal addresses are not redacted. A safety net under access control, not a replacement for it.
 */
export type PiiKind = "card" | "email" | "iban" | "ip" | "phone" | "secret" | "ssn";

export interface Redaction {
  readonly text: string;
  /** Distinct kinds replaced, sorted. */
  readonly found: PiiKind[];
}

/**
 * Every pattern below needs a digit, an "@" or one of these words, so a string without any of them is
 * returned untouched after one linear scan: most log messages and field values take this path.
 */
const MAY_CONTAIN_PII =
  /[\d@]|sk-|[sr]k_|bearer|akia|asia|alk_|gh[pousr]_|github_pat_|xox[abprs]-|eyj|aiza|private.?key|passw|pwd|passphrase|secret|token|api.?key|access.?key|authorization/i;

/** A credential-like value: long, or mixing in digits or token punctuation (not an ordinary word). */
function looksLikeToken(value: string, minLength: number): boolean {
  if (value.length < minLength || value.startsWith("[")) return false;
  return /[\d_.~+/=-]/.test(value) || value.length >= 20;
}

/** Where a match was found, for rules that look at what precedes it. */
interface MatchSite {
  readonly offset: number;
  readonly input: string;
}

type Replacer = (match: string, groups: readonly (string | undefined)[], site: MatchSite) => string | null;

interface Rule {
  readonly kind: PiiKind;
  readonly pattern: RegExp;
  /** The replacement, or null to keep the match (it failed a checksum or a context check). */
  readonly replace: Replacer;
}

const placeholder =
  (kind: PiiKind): Replacer =>
  () =>
    `[${kind}]`;

const digitsOf = (s: string): string => s.replace(/\D/g, "");

/** The Luhn checksum every payment card number carries. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * Issuer prefixes of the major networks (Visa 4, Mastercard 51–55 and 22–27, Amex 34/37, Diners 30/36/38,
 * JCB 35, Discover and UnionPay 6, Maestro 50/56–58): with Luhn, this keeps most long internal numbers
 * (epoch milliseconds start with 1, order ids rarely with a valid issuer and checksum) out.
 */
const CARD_ISSUER = /^(?:4|5[0-8]|2[2-7]|3[0456789]|6)/;

/** ISO 13616 IBAN check: move the first four characters to the end, letters to 10..35, mod 97 must be 1. */
export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/ /g, "").toUpperCase();
  if (iban.length < 15 || iban.length > 34 || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const d of value) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/**
 * The longest prefix of a run of digit groups that `ok` accepts, dropping whole trailing groups (a phone
 * number followed by "24/7", an IBAN followed by a capitalised word), as `[kind]` plus the rest.
 */
function redactLeadingGroups(
  match: string,
  kind: PiiKind,
  ok: (candidate: string) => boolean,
): string | null {
  for (let candidate = match; candidate;) {
    if (ok(candidate)) return `[${kind}]${match.slice(candidate.length)}`;
    const cut = Math.max(candidate.lastIndexOf(" "), candidate.lastIndexOf("-"));
    if (cut <= 0) return null;
    candidate = candidate.slice(0, cut);
  }
  return null;
}

/** Four-part section and version numbers ("section 4.2.1.3", "v1.2.3.4") look like addresses. */
const NUMBERED_HEADING =
  /(?:section|sec\.|§|clause|article|art\.|chapter|paragraph|para\.|version|release|v)\s*$/i;

/** Rules in the order they run: a placeholder has no digits, so later rules never match inside one. */
const RULES: readonly Rule[] = [
  // Secrets first: tokens contain digit runs that later rules would half-redact.
  {
    kind: "secret",
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    replace: placeholder("secret"),
  },
  {
    // Credentials in a URL: postgres://user:password@host
    kind: "secret",
    pattern: /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)[^\s:/?#@]+:[^\s/?#@]+@/gi,
    replace: (_m, [scheme]) => `${scheme}[secret]@`,
  },
  {
    kind: "secret",
    pattern: /\b(bearer\s+)([A-Za-z0-9._~+/-]+=*)/gi,
    replace: (_m, [prefix, token = ""]) => (looksLikeToken(token, 8) ? `${prefix}[secret]` : null),
  },
  {
    kind: "secret",
    pattern: new RegExp(
      [
        /\bsk-[A-Za-z0-9_-]{20,}/, // OpenAI-style keys
        /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/, // Stripe
        /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key ids
        /\balk_[A-Za-z0-9_-]{8,}/, // this platform's API keys (tenancy.apiKeyPrefix)
        /\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}/, // GitHub
        /\bAIza[0-9A-Za-z_-]{35}/, // Google API keys
        /\bxox[abprs]-[A-Za-z0-9-]{10,}/, // Slack
        /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/, // JWTs (Firebase ID tokens)
      ]
        .map((r) => r.source)
        .join("|"),
      "g",
    ),
    replace: placeholder("secret"),
  },
  {
    // A value labelled as a credential: password=hunter2, "api_key": "…", Authorization: Basic …
    kind: "secret",
    pattern:
      /\b((?:password|passwd|passphrase|pwd|(?:client|app|api)[_-]?secret|secret|(?:api|secret|private|access)[_-]?key|apikey|(?:access|auth|refresh|session|id)[_-]?token|token|authorization)["']?\s*[:=]\s*["']?(?:basic\s+|digest\s+|token\s+)?)([^\s"',;&}]+)/gi,
    replace: (_m, [label, value = ""]) => (looksLikeToken(value, 6) ? `${label}[secret]` : null),
  },
  {
    kind: "email",
    // Not "icon@2x.png": a retina image name, not an address.
    pattern:
      /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@(?!\d+x\.)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu,
    replace: placeholder("email"),
  },
  {
    kind: "iban",
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g,
    replace: (m) => redactLeadingGroups(m, "iban", ibanValid),
  },
  {
    // Unseparated, in groups of four, or Amex/Diners 4-6-5 / 4-6-4; the separator must be consistent.
    kind: "card",
    pattern:
      /(?<![\w.,-]|\d[ -])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![\w]|[.,]\d)/g,
    replace: (m) => {
      const digits = digitsOf(m);
      return digits.length >= 13 && CARD_ISSUER.test(digits) && luhnValid(digits) ? "[card]" : null;
    },
  },
  {
    // US SSN; area 000, 666 and 900–999, group 00 and serial 0000 are never issued.
    kind: "ssn",
    pattern: /(?<![\w-]|\d[ -])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w]|-\d)/g,
    replace: placeholder("ssn"),
  },
  {
    // International: +14155550132, +44 20 7946 0958, +1 (415) 555-0132. Groups after the country code
    // need a separator, so a long digit run has one reading (no backtracking blow-up).
    kind: "phone",
    pattern:
      /(?<![\w+])\+(?:\d{8,15}|\d{1,3}(?:[ .-]?\(\d{1,4}\)[ .-]?\d{1,8})?(?:[ .-]\d{1,8}){0,6})(?![\w]|[ .-]\d)/g,
    replace: (m) =>
      redactLeadingGroups(m, "phone", (c) => digitsOf(c).length >= 9 && digitsOf(c).length <= 15),
  },
  {
    // North American: 415-555-0132, (415) 555 0132, 1-415-555-0132, 415.555.0132.
    kind: "phone",
    pattern:
      /(?<![\w+.,/-]|\d[ -])(?:1[ .-])?(?:\([2-9]\d{2}\)[ .-]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?![\w]|[.,-]\d)/g,
    replace: placeholder("phone"),
  },
  {
    // With a trunk 0 (never 00, the international prefix) and one kind of separator: 020 7946 0958,
    // (020) 7946 0958, 06 12 34 56 78. Dates such as 05-06-2026 have too few digits.
    kind: "phone",
    pattern:
      /(?<![\w+.,/-]|\d[ -])(?:\(0[1-9]\d{0,3}\) ?\d{2,8}(?:[ -]\d{2,8}){0,3}|0[1-9]\d{0,3}([ -])\d{2,8}(?:\1\d{2,8}){0,3})(?![\w]|[.,/:]\d)/g,
    replace: (m) =>
      redactLeadingGroups(m, "phone", (c) => digitsOf(c).length >= 9 && digitsOf(c).length <= 12),
  },
  {
    kind: "ip",
    pattern:
      /(?<![\w.]|\d[ ])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\w]|\.\d)/g,
    replace: (m, _groups, { offset, input }) => {
      // Loopback and "any" addresses identify no one.
      if (m.startsWith("127.") || m === "0.0.0.0") return null;
      return NUMBERED_HEADING.test(input.slice(Math.max(0, offset - 12), offset)) ? null : "[ip]";
    },
  },
];

/**
 * Replaces personal data and credentials in `text` with typed placeholders: `[email]`, `[phone]`,
 * `[card]` (Luhn-valid, known issuer), `[iban]` (mod-97-valid), `[ssn]`, `[ip]` (IPv4) and `[secret]`
 * (API keys, bearer tokens, JWTs, private keys, URL credentials, labelled passwords). Dates, times,
 * amounts, versions and other ordinary numbers are left alone.
 */
export function redactPii(text: string): Redaction {
  if (!MAY_CONTAIN_PII.test(text)) return { text, found: [] };
  const found = new Set<PiiKind>();
  let out = text;
  for (const rule of RULES) {
    out = out.replace(rule.pattern, (match: string, ...args: unknown[]) => {
      // A replacer's arguments are the match, its groups, then the offset and the whole input.
      const input = args[args.length - 1] as string;
      const offset = args[args.length - 2] as number;
      const groups = args.slice(0, -2) as (string | undefined)[];
      const replacement = rule.replace(match, groups, { offset, input });
      if (replacement === null) return match;
      found.add(rule.kind);
      return replacement;
    });
  }
  return { text: out, found: [...found].sort() };
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `value` with every string redacted by `redactPii`, through plain objects and arrays (keys are
 * kept as they are). Other objects (dates, class instances) are returned as they are; a reference cycle
 * becomes the string "[circular]". The input is never mutated.
 */
export function redactDeep(value: unknown): unknown {
  return redactValue(value, new Set());
}

function redactValue(value: unknown, ancestors: Set<object>): unknown {
  if (typeof value === "string") return redactPii(value).text;
  if (typeof value !== "object" || value === null) return value;
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  if (ancestors.has(value)) return "[circular]";
  ancestors.add(value);
  let copy: unknown;
  if (Array.isArray(value)) {
    copy = value.map((item: unknown) => redactValue(item, ancestors));
  } else {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, ancestors);
    copy = out;
  }
  ancestors.delete(value);
  return copy;
}
