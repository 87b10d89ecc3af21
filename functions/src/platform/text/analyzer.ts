/**
 * The one text analyzer: how every part of the platform turns text into terms. Lexical search (both keyword
 * indexes), the built-in embedder, the extractive responder and the accountability checks must all see the
 * same terms, so they all call `tokenize` here. Lowercased, Unicode-normalized, stop words dropped, lightly
 * stemmed; numbers normalized; characters of unspaced scripts (Han, kana) are terms of their own.
 */

/**
 * Common English function words, plus question words and light verbs: they carry no topic, and a
 * question ("how many days do I get…") must be matched on its content words.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all am an and any are aren't as at be because been before being below " +
    "between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each " +
    "few for from further get gets got had hadn't has hasn't have haven't having he he'd he'll he's her here " +
    "here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself " +
    "let's may me might more most must mustn't my myself no nor not of off on once only or other ought our ours " +
    "ourselves out over own per same shall shan't she she'd she'll she's should shouldn't so some such than that " +
    "that's the their theirs them themselves then there there's these they they'd they'll they're they've this " +
    "those through to too under until up upon us very via was wasn't we we'd we'll we're we've were weren't what " +
    "what's when when's where where's whether which while who who's whom whose why why's will with won't would " +
    "wouldn't you you'd you'll you're you've your yours yourself yourselves also just many much please tell " +
    "know need want like"
  ).split(" "),
);

/** A word: any run of letters/digits containing a letter (with inner apostrophes), or a number like 3.5. */
const WORD = /[\p{L}\p{M}\p{N}]*\p{L}[\p{L}\p{M}\p{N}]*(?:'[\p{L}\p{M}]+)*|\p{N}+(?:[.,]\p{N}+)*/gu;
/** Scripts written without spaces between words: each character is a term. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

function normalizeText(text: string): string {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[\u2018\u2019\u02bc]/g, "'")
      // "café" and "cafe" are one word; only Latin letters lose their accents (marks matter in other scripts).
      .normalize("NFD")
      .replace(/(\p{Script=Latin})\p{M}+/gu, "$1")
      .normalize("NFC")
  );
}

function normalizeNumber(token: string): string {
  // 1,000 and 1000 are the same amount.
  return /^\d{1,3}(,\d{3})+$/.test(token) ? token.replace(/,/g, "") : token;
}

const hasVowel = (s: string): boolean => /[aeiouy]/.test(s);

/** "submitt" → "submit", "runn" → "run"; doubled l, s, z stay ("install", "pass"). */
function undouble(s: string): string {
  const n = s.length;
  if (n >= 3 && s[n - 1] === s[n - 2] && /[bcdfghjkmnpqrtvwx]/.test(s[n - 1] ?? "")) return s.slice(0, -1);
  return s;
}

/**
 * A light English stemmer: plural, -ing, -ed and -ly suffixes, then a final "e", so that "expenses",
 * "expense" and "expensed" meet at "expens". Deliberately small and predictable rather than Porter's;
 * non-ASCII words are returned unchanged.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || !/^[a-z]+$/.test(w)) return w;
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);

  if (w.endsWith("ing") && w.length >= 5 && hasVowel(w.slice(0, -3))) w = undouble(w.slice(0, -3));
  else if (w.endsWith("ied") && w.length > 4)
    w = `${w.slice(0, -3)}y`; // "carried" meets "carry"
  else if (w.endsWith("ed") && !w.endsWith("eed") && w.length >= 5 && hasVowel(w.slice(0, -2)))
    w = undouble(w.slice(0, -2));
  else if (w.endsWith("ly") && !w.endsWith("ply") && w.length > 5) w = w.slice(0, -2);

  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1);
  return w;
}

export interface Term {
  /** The stemmed term used for matching. */
  readonly term: string;
  /** The lowercased word before stemming, used for spelling fragments. */
  readonly surface: string;
}

/**
 * The most recent analyses, by text: ingestion analyzes each chunk twice in a row (the embedder, then the
 * keyword index), and the second time is free. Small and bounded; results are frozen so sharing is safe.
 */
const recentAnalyses = new Map<string, readonly Term[]>();
const recentAnalysesMax = 256;
/**
 * The analysis of each word seen before (null when it is dropped): word frequencies are Zipfian, so nearly
 * every lookup hits and skips the per-word rules. Words of unspaced scripts are not kept (see analyzeText).
 */
const wordCache = new Map<string, Term | null>();
const wordCacheMax = 50_000;

/** A word's term and surface, or null when it carries no topic (a stop word, a single Latin letter). */
function analyzeWord(word: string): Term | null {
  const cached = wordCache.get(word);
  if (cached !== undefined) return cached;
  let result: Term | null;
  if (/^\p{N}/u.test(word) && !/\p{L}/u.test(word)) {
    result = { term: normalizeNumber(word), surface: word };
  } else {
    let token = word.replace(/'s$/, "");
    if (token.includes("'")) token = token.replace(/'/g, "");
    const dropped =
      STOP_WORDS.has(word) || STOP_WORDS.has(token) || (token.length === 1 && /[a-z]/.test(token));
    result = dropped ? null : { term: stem(token), surface: token };
  }
  if (wordCache.size >= wordCacheMax) wordCache.clear();
  wordCache.set(word, result ? Object.freeze(result) : null);
  return result;
}

/** The terms of a text with their surfaces (memoized, frozen: callers must not mutate). */
export function analyze(text: string): readonly Term[] {
  const recent = recentAnalyses.get(text);
  if (recent) return recent;
  const terms = analyzeText(text);
  if (recentAnalyses.size >= recentAnalysesMax)
    recentAnalyses.delete(recentAnalyses.keys().next().value as string);
  recentAnalyses.set(text, Object.freeze(terms));
  return terms;
}

function analyzeText(text: string): Term[] {
  const terms: Term[] = [];
  for (const match of normalizeText(text).matchAll(WORD)) {
    const word = match[0];
    if (UNSPACED.test(word)) {
      // Scripts without spaces between words: each character is a term.
      for (const ch of word) terms.push({ term: ch, surface: ch });
      continue;
    }
    const term = analyzeWord(word);
    if (term) terms.push(term);
  }
  return terms;
}

/** The stemmed, stop-word-free terms of a text, in order (repeats kept). */
export function tokenize(text: string): string[] {
  return analyze(text).map((t) => t.term);
}
