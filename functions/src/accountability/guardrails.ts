/**
 * Guardrails of the eA³ accountability layer: pure checks run on what goes in and out of an agent.
 *
 * - `redactPii` / `redactDeep` replace personal data and credentials with typed placeholders (`[email]`,
 *   `[card]`…) in answers, traces and log lines.
 * - `matchBlockedTopic` tells whether a question falls under one of an agent's `blockedTopics`.
 * - `detectInjection` (in injection.ts) flags passages that try to give the model instructions.
 *
 * All three are heuristics tuned for precision: a false positive silently damages a legitimate answer or
 * document (a redacted order number, an excluded policy page), so every pattern demands more than a
 * keyword. Numbers must have the shape of the thing and, where one exists, a valid checksum (Luhn for
 * cards, mod-97 for IBANs); injection signals need an instruction-like combination of words. The price is
 * recall: unseparated national phone numbers, IPv6 addresses, names and postal addresses are not redacted,
 * and an instruction without any of the known shapes is not flagged. Treat these as a safety net under
 * access control and model-side policy, not as a replacement for either.
 */
import { tokenize } from "../platform/text/analyzer.js";

export {
  ibanValid,
  luhnValid,
  redactDeep,
  redactPii,
  type PiiKind,
  type Redaction,
} from "../platform/redact.js";

// ---------------------------------------------------------------------------------------------------
// Blocked topics
// ---------------------------------------------------------------------------------------------------

export interface BlockedTopicMatch {
  /** The topic as configured on the agent. */
  readonly topic: string;
  /** The topic's stemmed terms found in the question, or the phrase itself when it matched as written. */
  readonly matched: string[];
}

const normalizePhrase = (s: string): string => s.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** The phrase occurs in the text and not inside a longer word ("ai" is not in "said"). */
function containsPhrase(text: string, phrase: string): boolean {
  for (let at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1)) {
    const before = text[at - 1];
    const after = text[at + phrase.length];
    const startsWord = WORD_CHAR.test(phrase[0] ?? "");
    const endsWord = WORD_CHAR.test(phrase[phrase.length - 1] ?? "");
    if (
      (!startsWord || !before || !WORD_CHAR.test(before)) &&
      (!endsWord || !after || !WORD_CHAR.test(after))
    )
      return true;
  }
  return false;
}

/**
 * The first of `topics` (in the order given) the question is about, or null. A topic matches when every
 * one of its stemmed terms is among the question's ("medical advice" matches "can you give me advice on a
 * medical issue?"), or when the phrase appears as written, case aside (topics such as "401(k)" whose terms
 * are too short to survive tokenizing). Empty topics are ignored. Synonyms are not matched.
 */
export function matchBlockedTopic(question: string, topics: readonly string[]): BlockedTopicMatch | null {
  const questionTerms = new Set(tokenize(question));
  const questionText = normalizePhrase(question);
  for (const topic of topics) {
    const phrase = normalizePhrase(topic);
    if (!phrase) continue;
    const terms = [...new Set(tokenize(topic))];
    if (terms.length > 0 && terms.every((t) => questionTerms.has(t))) return { topic, matched: terms };
    if (containsPhrase(questionText, phrase)) return { topic, matched: [phrase] };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Prompt injection in retrieved passages: see injection.ts
// ---------------------------------------------------------------------------------------------------

export { detectInjection, injectionSignalReasons, type InjectionCheck } from "./injection.js";
