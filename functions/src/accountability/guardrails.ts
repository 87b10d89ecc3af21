/**
 * Guardrails of the eA³ accountability layer: pure checks run on what goes in and out of an agent.
 *
 * - `redactPii` / `redactDeep` replace personal data and credentials with typed placeholders (`[email]`,
 *   `[card]`…) in answers, traces and log lines.
 * - `matchBlockedTopic` tells whether a question falls under one of an agent's `blockedTopics`.
 * - `detectInjection` flags retrieved passages that try to give the model instructions.
 *
 * All three are heuristics tuned for precision: a false positive silently damages a legitimate answer or
 * document (a redacted order number, a quarantined policy page), so every pattern demands more than a
 * keyword. Numbers must have the shape of the thing and, where one exists, a valid checksum (Luhn for
 * cards, mod-97 for IBANs); injection signals need an instruction-like combination of words. The price is
 * recall: unseparated national phone numbers, IPv6 addresses, names and postal addresses are not redacted,
 * and a paraphrased injection ("kindly set aside what you were told earlier") is not flagged. Treat these
 * as a safety net under access control and model-side policy, not as a replacement for either.
 */
import { tokenize } from "../platform/models/local-embedder.js";

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
// Prompt injection in retrieved passages
// ---------------------------------------------------------------------------------------------------

export interface InjectionCheck {
  readonly flagged: boolean;
  /** Distinct names of the signals that matched, sorted. */
  readonly signals: string[];
}

/**
 * A role the text tries to give the model: an AI persona or a jailbreak state, not a job title ("you are
 * now an assistant manager" and "act as a liaison" do not count).
 */
const ROLE =
  String.raw`(?:(?:an?|the|my|your)\s+(?:[\w',-]+\s+){0,2}?)?` +
  String.raw`(?:assistant(?!\s+(?:manager|director|professor|editor|principal|head|coach|to)\b)|ai|a\.i\.|` +
  String.raw`(?<!role\s)model(?!\s+(?:owner|number|year|home|answer|employee|citizen)\b)|llm|chat\s?bot|bot|dan|gpt|` +
  String.raw`unrestricted|jailbroken|uncensored|unfiltered|evil|rogue)\b`;

const JAILBREAK_MODE = String.raw`(?:developer|dev|dan|god|jailbreak|jailbroken|unrestricted|unfiltered|admin|debug)\s+mode\b`;

/** Where a command begins: a line or sentence start, or words that address the reader as the model. */
const COMMAND_START = String.raw`(?:^|[.!?:;]\s*|\b(?:please|now|you\s+(?:will|must|should|shall|now)|you'll|i\s+want\s+you\s+to)\s+)`;

/** "Do not ignore the above instructions" is an instruction to the reader to comply, not an attack. */
const NOT_NEGATED = String.raw`(?<!(?:\bnot|n't|\bnever)\s+)`;

const INSTRUCTIONS = String.raw`(?:instructions?|prompts?|rules|directions|directives|guidelines|commands|context|messages?)`;

/** One pattern matching any of the alternatives, each written (and commented) on its own. */
const anyOf = (flags: string, ...alternatives: string[]): RegExp => new RegExp(alternatives.join("|"), flags);

const INJECTION_SIGNALS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  {
    name: "ignore-instructions",
    pattern: anyOf(
      "i",
      // ignore (all) previous/prior/above instructions, disregard all of the earlier rules
      String.raw`${NOT_NEGATED}\b(?:ignore|disregard|forget|override|overrule|bypass|skip)\s+` +
        String.raw`(?:(?:all|any|of|the|your|my|these|those|everything)\s+)*` +
        String.raw`(?:previous|prior|above|earlier|preceding|foregoing|all)\s+(?:[\w-]+\s+){0,2}?${INSTRUCTIONS}\b`,
      // forget everything above
      String.raw`${NOT_NEGATED}\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+` +
        String.raw`(?:above|before\s+this|you\s+(?:were|have\s+been)\s+told)\b`,
      // disregard the system prompt, forget your original instructions
      String.raw`${NOT_NEGATED}\b(?:ignore|disregard|forget|override|overrule|bypass)\s+(?:(?:the|your|my|any|all)\s+)?` +
        String.raw`(?:system|developer|original|initial|hidden)\s+(?:prompts?|instructions?|messages?|rules)\b`,
      // bypass your safety filters
      String.raw`${NOT_NEGATED}\b(?:ignore|disregard|bypass|override|disable)\s+your\s+` +
        String.raw`(?:(?:safety|content|ethical|moderation)\s+)?` +
        String.raw`(?:guidelines|filters|restrictions|rules|policies|safeguards|guardrails)\b`,
    ),
  },
  {
    name: "role-override",
    pattern: anyOf(
      "im",
      String.raw`\byou\s+are\s+now\s+(?:${ROLE}|(?:in|operating\s+in|entering)\s+${JAILBREAK_MODE})`,
      String.raw`\bfrom\s+now\s+on,?\s+you\s+(?:are|will\s+be)\s+${ROLE}`,
      String.raw`${COMMAND_START}(?:act|behave|respond)\s+as\s+(?:if\s+you\s+(?:are|were)\s+)?${ROLE}`,
      String.raw`\b(?:pretend|imagine)\s+(?:to\s+be|you\s+are|you're)\s+${ROLE}`,
      // "enable developer mode" is a phone setting; only jailbreak modes count here
      String.raw`\b(?:enable|enter|activate|switch\s+to)\s+(?:dan|god|jailbreak|jailbroken|unrestricted|unfiltered)\s+mode\b`,
    ),
  },
  {
    name: "new-instructions",
    pattern: anyOf(
      "i",
      String.raw`\b(?:new|updated|revised|real|actual|additional|override)\s+(?:system\s+)?(?:instructions?|prompt)\s*:`,
      String.raw`\bsystem\s+override\b`,
    ),
  },
  {
    // "system:" / "assistant:" opening a line, as in a transcript the model may take for its own.
    name: "role-prefix",
    pattern: anyOf(
      "im",
      String.raw`^[ \t>*_-]*(?:system|assistant)[ \t]*:[ \t]*\S`,
      String.raw`<\/?system(?:[_-]prompt)?>`,
    ),
  },
  {
    name: "chat-template-token",
    pattern: anyOf(
      "im",
      String.raw`<\|(?:im_start|im_end|im_sep|endoftext|system|user|assistant|eot_id|start_header_id|end_header_id|begin_of_text)\|>`,
      String.raw`\[\/?INST\]|<<\/?SYS>>`,
      // Alpaca-style "### Instruction:", not a "### Instructions" heading
      String.raw`^[ \t]*#{2,}[ \t]*(?:instruction|system\s+prompt)[ \t]*(?::|$)`,
    ),
  },
  {
    name: "prompt-exfiltration",
    pattern: anyOf(
      "i",
      // reveal your system prompt, tell me your instructions, print the hidden prompt
      String.raw`\b(?:reveal|print|show|output|repeat|display|leak|disclose|dump|recite|give\s+me|tell\s+me|what\s+(?:is|are|was|were))\s+` +
        String.raw`(?:(?:me|us)\s+)?(?:your\s+(?:(?:system|initial|original|hidden|secret|full)\s+)?(?:prompt|instructions)|` +
        String.raw`the\s+(?:system|initial|original|hidden|secret)\s+(?:prompt|instructions)|the\s+prompt\b)`,
      // repeat everything above
      String.raw`\b(?:repeat|print|output)\s+(?:everything|all(?:\s+of)?(?:\s+the)?\s+text|the\s+(?:text|words))\s+above\b`,
    ),
  },
  {
    // Only about these instructions or the model itself: "do not tell the user their password" is policy.
    name: "hide-from-user",
    pattern: anyOf(
      "im",
      String.raw`\b(?:do\s+not|don't|never)\s+(?:tell|inform|mention\s+(?:this\s+)?to|reveal\s+(?:this\s+)?to|let)\s+the\s+user` +
        String.raw`(?:\s*[.!,;]|\s*$|\s+(?:about\s+)?(?:this|these|that\s+you|you|any\s+of\s+this|know))`,
      String.raw`\b(?:hide|conceal|keep)\s+(?:this|these\s+instructions|it)\s+(?:secret\s+|hidden\s+)?from\s+the\s+user\b`,
      String.raw`\bwithout\s+(?:telling|informing|alerting)\s+the\s+user\b`,
    ),
  },
];

/** Zero-width characters split words to slip past filters; NFKC folds look-alike forms. */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u00ad]/g;

/**
 * Whether a retrieved passage tries to instruct the model (prompt injection), by instruction-like word
 * combinations rather than keywords: "ignore" alone, "act as", "you are now" or "system:" mid-sentence are
 * ordinary prose. Known false positives: a memo saying "disregard the previous instructions" about a
 * procedure, a line starting with "System:" in a spec; known misses: paraphrases and other languages.
 */
export function detectInjection(text: string): InjectionCheck {
  const normalized = text.normalize("NFKC").replace(INVISIBLE, "");
  const signals = INJECTION_SIGNALS.filter((s) => s.pattern.test(normalized)).map((s) => s.name);
  return { flagged: signals.length > 0, signals: signals.sort() };
}
