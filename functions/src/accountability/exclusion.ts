/**
 * Excluding prompt injection from a turn, not just labelling it. A passage (or a tool's output) that
 * `detectInjection` flags is never offered to the model as a source, never quoted in an answer (the answer
 * checks drop any sentence that cites or repeats it, see assess.ts), and never drives a tool call: a call
 * whose arguments carry an address, a number or a phrase that only flagged text contains is refused
 * before it runs. The explanation says what was excluded and why; the trace records it.
 *
 * Pure functions: the turn (agents/turn.ts) decides when to call them.
 */
import type { Evidence } from "./assess.js";
import { detectInjection, injectionSignalReasons } from "./injection.js";
import { baseReading, foldConfusables } from "./injection-views.js";

/** Evidence held back from the model because it reads as instructions. */
export interface ExcludedEvidence extends Evidence {
  readonly signals: string[];
}

/** Splits evidence into what the model may see and what is excluded (with the signals that excluded it). */
export function screenEvidence(evidence: readonly Evidence[]): {
  offered: Evidence[];
  excluded: ExcludedEvidence[];
} {
  const offered: Evidence[] = [];
  const excluded: ExcludedEvidence[] = [];
  for (const e of evidence) {
    const check = detectInjection(e.text);
    if (check.flagged) excluded.push({ ...e, signals: check.signals });
    else offered.push(e);
  }
  return { offered, excluded };
}

// ---------------------------------------------------------------------------------------------------
// Tool arguments
// ---------------------------------------------------------------------------------------------------

export type CarriedKind = "email" | "url" | "number" | "phrase";

/** Something in a tool call's arguments that came from excluded text. */
export interface CarriedItem {
  readonly kind: CarriedKind;
  readonly value: string;
  /** Names of the excluded sources (documents, tools) that contain it. */
  readonly sources: string[];
}

export interface ToolArgumentCheck {
  readonly refused: boolean;
  readonly carried: CarriedItem[];
  /** What the model and the trace are told when refused. */
  readonly reason: string | null;
}

/**
 * Phrases are compared within this many characters of each text; addresses and numbers everywhere (their
 * patterns are linear), so padding the arguments does not hide an address at their end.
 */
const maxPhraseChars = 20_000;
/** A shared run of this many words is a phrase lifted from the text, not a coincidence. */
const phraseWords = 5;
const maxPhrases = 3;

/** Text as compared: NFKC, invisible characters out, look-alike letters folded, lower case. */
const comparable = (text: string): string => foldConfusables(baseReading(text)).toLowerCase();

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const URL_HOST = /\bhttps?:\/\/([\p{L}\p{N}.-]+)/gu;
const DOMAIN = /\b(?:[\p{L}\p{N}-]+\.)+[\p{L}]{2,}\b/gu;
const NUMBER = /\+?\d[\d\s()./-]{4,}\d/g;

const hostOf = (host: string): string => host.replace(/^www\./, "").replace(/\.$/, "");

interface Fingerprint {
  readonly emails: Set<string>;
  readonly hosts: Set<string>;
  readonly numbers: Set<string>;
  readonly phrases: Set<string>;
}

function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}

function phrasesOf(text: string): Set<string> {
  const w = words(text.slice(0, maxPhraseChars));
  const out = new Set<string>();
  for (let i = 0; i + phraseWords <= w.length; i++) out.add(w.slice(i, i + phraseWords).join(" "));
  return out;
}

function fingerprint(text: string): Fingerprint {
  const emails = new Set([...text.matchAll(EMAIL)].map((m) => m[0].replace(/\.$/, "")));
  const hosts = new Set<string>();
  for (const m of text.matchAll(URL_HOST)) hosts.add(hostOf(m[1] ?? ""));
  for (const m of text.matchAll(DOMAIN)) hosts.add(hostOf(m[0]));
  for (const e of emails) hosts.add(hostOf(e.slice(e.indexOf("@") + 1)));
  const numbers = new Set(
    [...text.matchAll(NUMBER)].map((m) => m[0].replace(/\D/g, "")).filter((d) => d.length >= 6),
  );
  // Phrases are words around the addresses and numbers, which count once, as what they are.
  const prose = text
    .replace(EMAIL, " ")
    .replace(/\bhttps?:\/\/\S+/gu, " ")
    .replace(DOMAIN, " ")
    .replace(NUMBER, " ");
  return { emails, hosts, numbers, phrases: phrasesOf(prose) };
}

/** Every string in the parsed arguments (keys too: a model can smuggle text into a key), or the raw text. */
function argumentText(raw: string): string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return raw;
  }
  const parts: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 20) return;
    if (typeof v === "string" || typeof v === "number") parts.push(String(v));
    else if (Array.isArray(v)) for (const item of v) walk(item, depth + 1);
    else if (v && typeof v === "object")
      for (const [k, item] of Object.entries(v)) {
        parts.push(k);
        walk(item, depth + 1);
      }
  };
  walk(value, 0);
  return parts.join("\n");
}

/** A number in the arguments matches one in the text when either contains the other (a country code aside). */
const sameNumber = (a: string, b: string): boolean =>
  a === b || (a.length >= 6 && b.length >= 6 && (a.endsWith(b) || b.endsWith(a)));

/**
 * Whether a tool call may run: refused when its arguments carry an email address, a link's host, a
 * phone or account number (6+ digits) or a run of five words that appears in excluded text and nowhere
 * the agent may trust (the user's messages, the agent's instructions, the evidence it was shown).
 */
export function checkToolArguments(
  rawArguments: string,
  context: {
    readonly excluded: readonly { readonly text: string; readonly source: string }[];
    readonly trusted: readonly string[];
  },
): ToolArgumentCheck {
  if (context.excluded.length === 0) return { refused: false, carried: [], reason: null };
  const args = fingerprint(comparable(argumentText(rawArguments)));
  const trusted = fingerprint(comparable(context.trusted.join("\n")));
  const sources = context.excluded.map((e) => ({ source: e.source, print: fingerprint(comparable(e.text)) }));
  const carried: CarriedItem[] = [];
  const note = (kind: CarriedKind, value: string, inSource: (p: Fingerprint) => boolean): void => {
    const from = [...new Set(sources.filter((s) => inSource(s.print)).map((s) => s.source))];
    if (from.length > 0) carried.push({ kind, value, sources: from });
  };
  for (const email of args.emails)
    if (!trusted.emails.has(email)) note("email", email, (p) => p.emails.has(email));
  for (const host of args.hosts)
    if (!trusted.hosts.has(host) && ![...args.emails].some((e) => e.endsWith(`@${host}`)))
      note("url", host, (p) => p.hosts.has(host));
  for (const digits of args.numbers)
    if (![...trusted.numbers].some((t) => sameNumber(t, digits)))
      note("number", digits, (p) => [...p.numbers].some((n) => sameNumber(n, digits)));
  let phrases = 0;
  for (const phrase of args.phrases) {
    if (phrases >= maxPhrases) break;
    if (trusted.phrases.has(phrase)) continue;
    const before = carried.length;
    note("phrase", phrase, (p) => p.phrases.has(phrase));
    if (carried.length > before) phrases++;
  }
  if (carried.length === 0) return { refused: false, carried, reason: null };
  const first = carried[0] as CarriedItem;
  const what = { email: "an email address", url: "a web address", number: "a number", phrase: "wording" }[
    first.kind
  ];
  const more = carried.length > 1 ? ` (and ${carried.length - 1} more item(s))` : "";
  return {
    refused: true,
    carried,
    reason:
      `refused: the arguments carry ${what} (${first.value})${more} that appears only in text excluded as instruction-like ` +
      `(${first.sources.map((s) => `"${s}"`).join(", ")}); a tool call may not act on excluded content`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Explanations
// ---------------------------------------------------------------------------------------------------

const list = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;

/** Why passages were excluded, in a sentence or two a user can read: documents named, reasons brief. */
export function describeExclusions(
  excluded: readonly ExcludedEvidence[],
  refusedTools: readonly { readonly name: string }[] = [],
): string {
  const parts: string[] = [];
  if (excluded.length > 0) {
    const byDoc = new Map<string, Set<string>>();
    for (const e of excluded) {
      const reasons = byDoc.get(e.docName) ?? new Set<string>();
      for (const s of e.signals) reasons.add(injectionSignalReasons[s] ?? s);
      byDoc.set(e.docName, reasons);
    }
    const docs = [...byDoc].map(([doc, reasons]) => `"${doc}" (it ${list([...reasons].slice(0, 2))})`);
    parts.push(
      `Excluded ${excluded.length} passage(s) containing instruction-like text from ${list(docs)}: ` +
        "they were not shown to the model as sources and are not quoted.",
    );
  }
  if (refusedTools.length > 0)
    parts.push(
      `Refused ${refusedTools.length} tool call(s) (${list([...new Set(refusedTools.map((t) => t.name))])}) ` +
        "whose arguments carried content found only in excluded text.",
    );
  return parts.join(" ");
}
