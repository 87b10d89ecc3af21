/**
 * What history the model sees on each turn: the most recent messages verbatim, everything older as one
 * extractive summary, all of it within the agent's token budget. Pure functions: no store, no model call
 * (the local provider cannot write text, so the summary quotes the conversation rather than paraphrasing it).
 */
import { AppError } from "../platform/errors.js";
import type { ChatMessage } from "../platform/ports.js";

// ---------------------------------------------------------------------------------------------------
// Token estimate
// ---------------------------------------------------------------------------------------------------

const cjk = "\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}";

/** The pieces a BPE tokenizer splits text into, in the order cl100k's pre-tokenizer tries them. */
const textPieces = new RegExp(
  [
    `([${cjk}])`, // 1: a CJK character
    "(['\u2019](?:s|t|re|ve|m|ll|d|S|T|RE|VE|M|LL|D)\\b)", // 2: an English contraction ('s, 't, 'll)
    `((?:(?![${cjk}])\\p{L})(?:(?![${cjk}])[\\p{L}\\p{M}])*)`, // 3: a word
    "( ?\\p{N}+)", // 4: a number; the space before it is a token of its own
    "([ \\t]*[\\r\\n]\\s*)", // 5: line breaks, with the indentation after them
    "([ \\t]{2,})", // 6: a run of spaces
    "([^\\s\\p{L}\\p{N}]+)(?=(\\p{L})?)", // 7: punctuation and symbols; 8: set when a word follows
  ].join("|"),
  "gu",
);
const wordParts = /\p{Lu}?[\p{Ll}\p{M}]+|\p{Lu}+(?!\p{Ll})|[\p{L}\p{M}]+/gu;
const nonLatin = /[^\p{Script=Latin}\p{M}]/u;
const allCaps = /^\p{Lu}+$/u;

/** camelCase splits like the tokenizer does; common words up to 7 letters are one token, rarer long ones more. */
function wordTokens(word: string): number {
  let tokens = 0;
  for (const part of word.match(wordParts) ?? [word]) {
    const letters = [...part].length;
    if (nonLatin.test(part)) tokens += Math.ceil(letters / 2);
    else if (letters > 4 && allCaps.test(part)) tokens += Math.ceil(letters / 3);
    else tokens += letters <= 7 ? 1 : 1 + (letters - 7) / 10;
  }
  return tokens;
}

function symbolTokens(run: string, wordFollows: boolean): number {
  const chars = [...run];
  // Rules like "-----" or "=====" are a token or two, whatever their length.
  if (chars.length >= 4 && chars.every((c) => c === chars[0])) return 1 + Math.floor(chars.length / 64);
  const ascii = chars.filter((c) => c <= "\x7f").length;
  // The last ASCII mark before a word joins it: ".chat", "/docs", "_KEY".
  const joined = wordFollows && (chars[chars.length - 1] ?? "") <= "\x7f" ? 1 : 0;
  return Math.ceil((ascii - joined) / 2) + (chars.length - ascii);
}

/**
 * An ESTIMATE of how many tokens `text` costs an OpenAI model, without a tokenizer library. It mimics
 * cl100k/o200k pre-tokenization: a word is one token (long or rare words, all-caps names and non-Latin
 * words more), digits go in groups of three, a CJK character is one token, punctuation about one per
 * mark. Measured against cl100k it lands within ~5% on English prose and ~10% on code; it runs high
 * for CJK and Cyrillic under o200k. Deterministic, so budgets decided on it are reproducible.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const m of text.matchAll(textPieces)) {
    if (m[1] !== undefined || m[2] !== undefined) tokens += 1;
    else if (m[3] !== undefined) tokens += wordTokens(m[3]);
    else if (m[4] !== undefined) {
      const digits = m[4].trimStart();
      tokens += Math.ceil(digits.length / 3) + (digits.length < m[4].length ? 1 : 0);
    } else if (m[5] !== undefined || m[6] !== undefined) tokens += 1;
    else if (m[7] !== undefined) tokens += symbolTokens(m[7], m[8] !== undefined);
  }
  return Math.max(text.length > 0 ? 1 : 0, Math.round(tokens));
}

/** Chat formats add a few tokens per message (role, separators). */
const perMessageTokens = 4;

/** Estimated tokens of one chat message: its content, the per-message overhead, and any tool calls. */
export function estimateMessageTokens(m: ChatMessage): number {
  let tokens = perMessageTokens + estimateTokens(m.content);
  if (m.role === "assistant") {
    for (const call of m.toolCalls ?? [])
      tokens += estimateTokens(call.name) + estimateTokens(call.arguments);
  }
  if (m.role === "tool") tokens += estimateTokens(m.toolCallId);
  return tokens;
}

// ---------------------------------------------------------------------------------------------------
// Extractive summary
// ---------------------------------------------------------------------------------------------------

export interface Turn {
  readonly role: "user" | "assistant";
  readonly content: string;
}

const summaryWords = 30;
/** Text without spaces (CJK) has no words to count; cap it by length instead. */
const summaryChars = 240;
/** `[1]`, `[2, 3]`, `[1-3]`, and the `[T1]` markers of tool results. */
const citationMarkers = /\s*\[T?\d+(?:\s*[,\u2013-]\s*T?\d+)*\]/g;
/** A sentence ends at . ! ? before a capitalised word, a number or the end; CJK marks end one anywhere. */
const sentenceEnd =
  /[.!?\u2026](?=["'\u201d\u2019)\]]*(?:\s+[\p{Lu}\p{N}"'\u201c\u2018([]|\s*$))|[\u3002\uff01\uff1f]/u;

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const end = flat.search(sentenceEnd);
  let sentence = end >= 0 ? flat.slice(0, end + 1) : flat;
  const words = sentence.split(" ");
  if (words.length > summaryWords)
    sentence = `${words
      .slice(0, summaryWords)
      .join(" ")
      .replace(/[,;:]$/, "")}…`;
  const chars = [...sentence];
  if (chars.length > summaryChars) sentence = `${chars.slice(0, summaryChars - 1).join("")}…`;
  return sentence;
}

function turnLine(turn: Turn): string | null {
  if (turn.role === "user") {
    const question = firstSentence(turn.content);
    return question ? `User asked: ${question}` : null;
  }
  const answer = firstSentence(turn.content.replace(citationMarkers, ""));
  return answer ? `Agent answered: ${answer}` : null;
}

const omissionLine = (n: number): string => `(${n} earlier ${n === 1 ? "turn" : "turns"} omitted)`;
const omissionPattern = /^\((\d+) earlier turns? omitted\)$/;

/**
 * The newest lines that fit, after an omission line counting what was left out. Binary search over how
 * many lines to keep; the result is checked again because the omission count can change a token.
 */
function keepNewest(
  lines: readonly string[],
  omittedBefore: number,
  fits: (text: string) => boolean,
): string {
  const compose = (kept: number): string => {
    const omitted = omittedBefore + lines.length - kept;
    const tail = lines.slice(lines.length - kept);
    return (omitted > 0 ? [omissionLine(omitted), ...tail] : tail).join("\n");
  };
  if (fits(compose(lines.length))) return compose(lines.length);
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(compose(mid))) lo = mid;
    else hi = mid - 1;
  }
  const text = compose(lo);
  return fits(text) ? text : "";
}

/**
 * A deterministic, extractive summary of earlier turns, one line each: `User asked: <first sentence>` and
 * `Agent answered: <first sentence, citation markers removed>`, each cut to about 30 words. When the
 * lines exceed `maxTokens` (estimated), the oldest go first and a `(N earlier turns omitted)` line says so;
 * "" when there are no turns or not even that line fits.
 */
export function summarizeTurns(turns: readonly Turn[], maxTokens: number): string {
  const lines = turns.map(turnLine).filter((line): line is string => line !== null);
  if (lines.length === 0) return "";
  return keepNewest(lines, 0, (text) => estimateTokens(text) <= maxTokens);
}

/** A stored summary's lines, and the count in its omission line, so it can be extended and cut again. */
function parseSummary(text: string): { lines: string[]; omitted: number } {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const omission = omissionPattern.exec(lines[0] ?? "");
  return omission ? { lines: lines.slice(1), omitted: Number(omission[1]) } : { lines, omitted: 0 };
}

// ---------------------------------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------------------------------

export interface HistoryMessage extends Turn {
  /** The message's position in the whole conversation, from 0. */
  readonly seq: number;
}

/** A summary kept on the conversation: it covers every message with `seq < throughSeq`. */
export interface StoredSummary {
  readonly text: string;
  readonly throughSeq: number;
}

export interface ContextInput {
  /** The agent's instructions; always sent. */
  readonly system: string;
  /** The messages at hand, oldest first: the whole conversation, or those the stored summary does not cover. */
  readonly history: readonly HistoryMessage[];
  /** The new user message; always sent. */
  readonly question: string;
  /** How many of the latest messages go verbatim. */
  readonly memoryWindow: number;
  /** The model's input budget, in estimated tokens. */
  readonly budgetTokens: number;
  readonly summary?: StoredSummary | null;
  /** Room kept out of the budget for retrieved passages and the answer. */
  readonly reservedTokens?: number;
}

export interface Context {
  /** System, summary (if any), verbatim history, the question. */
  readonly messages: ChatMessage[];
  /** History messages sent verbatim. */
  readonly verbatim: number;
  /** Messages the summary stands for (0 when no summary is sent), including those dropped for budget. */
  readonly summarized: number;
  /** Messages of the memory window that did not fit the budget and went to the summary instead. */
  readonly droppedForBudget: number;
  /** Estimated tokens of `messages`; with `reservedTokens` it is within `budgetTokens`. */
  readonly estimatedTokens: number;
  /** The summary as sent ("" when none), in `summarizeTurns` format. */
  readonly summaryText: string;
  /** Store `summaryText` with this `throughSeq`: it covers every message before it. null when there is no summary. */
  readonly summaryThroughSeq: number | null;
}

const summaryHeader = "Summary of the earlier conversation:\n";
/** The summary may take this share of the room before recent messages are dropped for it. */
const summaryShare = 0.25;

const summaryMessage = (text: string): ChatMessage => ({
  role: "system",
  content: `${summaryHeader}${text}`,
});

/**
 * The messages for one turn. The latest `memoryWindow` history messages go verbatim; older ones become one
 * extractive summary, which extends the stored `summary` when that one ends where the messages at hand
 * take over (and is rebuilt from the messages at hand otherwise). When everything does not fit
 * `budgetTokens` less `reservedTokens`: the summary is first cut to what the verbatim messages leave (but
 * not below a quarter of the room), then the oldest verbatim messages move into the summary (a user message
 * with its answer), then the summary is cut further. The instructions and the question are never dropped: when they alone do not fit, the message
 * is refused with `invalid-argument`.
 */
export function buildContext(input: ContextInput): Context {
  const { history, budgetTokens } = input;
  const reserved = Math.max(0, input.reservedTokens ?? 0);
  const system: ChatMessage = { role: "system", content: input.system };
  const question: ChatMessage = { role: "user", content: input.question };
  const fixed = estimateMessageTokens(system) + estimateMessageTokens(question);
  if (fixed + reserved > budgetTokens) {
    const reserve =
      reserved > 0 ? `, and ${reserved} more are kept for retrieved passages and the answer` : "";
    throw new AppError(
      "invalid-argument",
      `This message is too long for the model's context: with the agent's instructions it comes to about ${fixed} tokens${reserve}, but the context holds ${budgetTokens}. Please send a shorter message.`,
      { estimatedTokens: fixed, reservedTokens: reserved, budgetTokens },
    );
  }
  const room = budgetTokens - fixed - reserved;

  const window = Math.min(history.length, Math.max(0, Math.floor(input.memoryWindow)));
  const windowStart = history.length - window;
  const lastSeq = history[history.length - 1]?.seq;
  const seqAt = (index: number): number | undefined =>
    history[index]?.seq ?? (lastSeq === undefined ? undefined : lastSeq + 1);

  // The stored summary is extended when it neither overlaps the verbatim window nor leaves a gap before
  // the messages at hand; otherwise the summary is rebuilt from those messages, counting any before them as omitted.
  const stored = input.summary?.text.trim() ? input.summary : null;
  const windowSeq = seqAt(windowStart);
  const firstSeq = history[0]?.seq;
  const extend =
    stored !== null &&
    (firstSeq === undefined ||
      (firstSeq <= stored.throughSeq && stored.throughSeq <= (windowSeq ?? Infinity)));
  const base = extend ? parseSummary(stored.text) : { lines: [], omitted: firstSeq ?? 0 };
  const found = extend ? history.findIndex((m) => m.seq >= stored.throughSeq) : 0;
  const summaryFrom = found === -1 ? history.length : found;
  const lineOf = history.map(turnLine);

  const costs = history.map((m) => estimateMessageTokens({ role: m.role, content: m.content }));
  const costFrom = (index: number): number => costs.slice(index).reduce((a, b) => a + b, 0);
  const summaryCap = Math.floor(room * summaryShare);

  let cut = windowStart;
  let summaryText = "";
  for (;;) {
    const verbatimCost = costFrom(cut);
    if (extend || cut > summaryFrom) {
      const lines = [
        ...base.lines,
        ...lineOf.slice(summaryFrom, cut).filter((line): line is string => line !== null),
      ];
      const allowance = Math.max(summaryCap, room - verbatimCost);
      summaryText = keepNewest(
        lines,
        base.omitted,
        (text) => estimateMessageTokens(summaryMessage(text)) <= allowance,
      );
    }
    const summaryCost = summaryText ? estimateMessageTokens(summaryMessage(summaryText)) : 0;
    if (summaryCost + verbatimCost <= room || cut === history.length) break;
    // Drop whole exchanges: a question leaves with its answer.
    cut += history[cut]?.role === "user" && history[cut + 1]?.role === "assistant" ? 2 : 1;
  }

  const verbatim = history.slice(cut).map((m): ChatMessage => ({ role: m.role, content: m.content }));
  const messages = [system, ...(summaryText ? [summaryMessage(summaryText)] : []), ...verbatim, question];
  const covered = (extend && stored ? stored.throughSeq : 0) + (cut - summaryFrom);
  return {
    messages,
    verbatim: verbatim.length,
    summarized: summaryText ? covered : 0,
    droppedForBudget: cut - windowStart,
    estimatedTokens: messages.reduce((n, m) => n + estimateMessageTokens(m), 0),
    summaryText,
    summaryThroughSeq: summaryText ? (seqAt(cut) ?? stored?.throughSeq ?? null) : null,
  };
}
