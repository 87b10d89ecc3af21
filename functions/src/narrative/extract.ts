/**
 * Rule-based memory extraction: the documented pattern set (docs/memory-patterns.md) that reads what an end user
 * states about themselves ("my name is Dana", "I live in Berlin", "please answer in French"), what they ask to
 * forget ("forget where I live"), and what the agent promised them in its answer ("I'll call you back tomorrow").
 *
 * Precision comes first: a wrong memory is shown back to the model as evidence and repeated to the end user,
 * while a missed one only costs a question. So every pattern is anchored at the start of a clause, where the end
 * user is its subject ("I…", "my…"): "my friend lives in Rome", "he said I live in Rome" and "do I live in Paris?"
 * start elsewhere and match nothing. Questions, hypotheticals ("if I lived in…"), reported speech, sarcasm
 * markers ("lol"), quoted or fenced text and negations produce nothing; a name needs a capital letter unless it
 * follows "my name is".
 *
 * Pure and synchronous, and bounded: at most `maxInputChars` are read, every regex is anchored at a clause's
 * start and runs on at most `clauseWindowChars`, and no regex nests quantifiers over overlapping input, so the work
 * grows linearly with the message.
 */
import type { MemoryKind } from "./schema.js";

export interface ExtractedMemory {
  readonly kind: MemoryKind;
  /** The slot it fills; a newer memory with the same key supersedes the older one. */
  readonly key: string | null;
  /** The value alone ("Berlin"). */
  readonly value: string;
  /** The memory addressed to the end user ("You live in Berlin."), as it is shown back as evidence. */
  readonly text: string;
  readonly confidence: number;
  /** The pattern id (rules) or the model name (model). */
  readonly pattern: string;
  /** The sentence it was taken from. */
  readonly quote: string;
}

export interface ForgetRequest {
  /** `last`: what the previous exchange taught; `key`: one slot ("where I live"); `terms`: memories with these words. */
  readonly what: "last" | "key" | "terms";
  readonly key?: string;
  readonly terms?: readonly string[];
  readonly pattern: string;
  readonly quote: string;
}

export interface MemoryPatternDoc {
  readonly id: string;
  readonly kind: MemoryKind;
  /** The key it fills; `preference:<topic>` for the topic lexicon; null for commitments (they never supersede). */
  readonly key: string | null;
  readonly description: string;
  readonly example: string;
  readonly confidence: number;
}

/** The most of a message (or an answer) read: longer input is cut, not refused. */
export const maxInputChars = 8000;
/** The most of one clause a pattern looks at: values come right after the clause's first words. */
export const clauseWindowChars = 240;
const maxQuoteChars = 400;
const maxTextChars = 500;

// ---------------------------------------------------------------------------------------------------------------
// Word lists

/** A list written as one string of words (prettier would put an array of them one per line). */
const wordList = (words: string): string[] => words.split(" ").filter((w) => w !== "");

const languages = wordList(
  "English French Spanish German Italian Portuguese Dutch Flemish Polish Russian Ukrainian Turkish " +
    "Arabic Hebrew Hindi Bengali Urdu Punjabi Tamil Chinese Mandarin Cantonese Japanese Korean " +
    "Vietnamese Thai Indonesian Malay Tagalog Filipino Swedish Norwegian Danish Finnish Icelandic " +
    "Greek Czech Slovak Slovenian Hungarian Romanian Bulgarian Croatian Serbian Bosnian Albanian " +
    "Lithuanian Latvian Estonian Persian Farsi Swahili Catalan Basque Galician Irish Welsh Afrikaans " +
    "Amharic Yoruba Hausa Zulu",
);
const languageByLower = new Map(languages.map((l) => [l.toLowerCase(), l]));

/** Capitalised words that follow "I'm" without being a name: nationalities, states, days, fillers. */
const notNames = new Set([
  ...languages.map((l) => l.toLowerCase()),
  // nationalities, religions, days, months, and the words that follow "I'm", "call me", "my name is" in ordinary sentences
  ...wordList(
    "american canadian mexican brazilian argentinian argentine chilean colombian peruvian venezuelan " +
      "cuban british scottish australian austrian swiss belgian luxembourgish indian pakistani " +
      "bangladeshi nigerian kenyan ghanaian egyptian moroccan algerian tunisian israeli iranian iraqi " +
      "syrian lebanese jordanian saudi emirati turkish european asian african latino latina hispanic " +
      "scandinavian nordic kiwi aussie christian muslim jewish hindu buddhist catholic protestant " +
      "atheist agnostic sikh mormon monday tuesday wednesday thursday friday saturday sunday january " +
      "february march april may june july august september october november december " +
      "a an the not so very just also still really sure fine good ok okay here there back " +
      "sorry happy glad ready done new interested looking trying going gonna calling writing asking " +
      "wondering confused tired busy free home available able unable afraid aware worried concerned " +
      "frustrated annoyed angry upset excited pleased retired married single divorced pregnant late " +
      "early right wrong certain positive curious stuck lost online offline away out in on at from with " +
      "about like well hungry cold hot sick ill better great alright all currently now today tomorrow " +
      "yesterday tonight maybe kidding joking serious bored anytime whenever later soon asap any when " +
      "if after before please directly instead again spelled spelt unknown important irrelevant private " +
      "secret that this it what your his her their our my me you him them us we they he she i sir madam " +
      "mr mrs ms miss dr customer client member user admin administrator owner manager boss new old " +
      "young nobody somebody someone anyone everyone no yes yeah nope hello hi hey thanks thank going " +
      "fed done finished through over under into having getting using waiting still sending contacting " +
      "reaching following replying responding vegan vegetarian allergic diabetic disabled deaf blind " +
      "gay straight bi trans male female man woman human robot bot ai always never often usually " +
      "confident afraid desperate unhappy disappointed satisfied grateful thankful",
  ),
]);

/** What may follow a name: "I'm Dana from Acme", "I'm Liam btw". */
const afterName = new Set(
  wordList(
    "and from here speaking again btw by with at of in but so please thanks thank i and fyi writing " +
      "calling though too",
  ),
);
const nameTitles = new Set(wordList("dr dr. mr mr. mrs mrs. ms ms. prof prof. mx mx."));

/** Lower-case words inside a place or company name: "Rio de Janeiro", "Bank of England", "Marks and Spencer". */
const nameConnectors = new Set(
  wordList(
    "de del da do dos das di du la le les am an im upon on of the and & y van von der den zu sur en " +
      "el al",
  ),
);
/** Capitalised words that end a place or company name: days, months, "I". */
const notPlaces = new Set(
  wordList(
    "monday tuesday wednesday thursday friday saturday sunday january february march april june july " +
      "august september october november december i i'm",
  ),
);

/** The last word of a job title ("software engineer", "nurse"). */
const roleNouns = new Set(
  wordList(
    "engineer developer programmer designer manager director teacher nurse doctor physician surgeon " +
      "dentist lawyer attorney solicitor accountant bookkeeper analyst consultant architect student " +
      "researcher scientist professor lecturer writer editor journalist photographer artist musician " +
      "chef cook driver pilot mechanic electrician plumber carpenter farmer pharmacist therapist " +
      "psychologist officer administrator assistant secretary receptionist clerk cashier salesperson " +
      "broker banker trader economist entrepreneur founder freelancer contractor technician specialist " +
      "coordinator supervisor executive ceo cto cfo coo intern apprentice paralegal veterinarian vet " +
      "midwife paramedic firefighter soldier librarian translator interpreter tutor coach trainer " +
      "recruiter marketer auditor actuary caregiver carer cleaner waiter waitress bartender barista " +
      "baker butcher tailor hairdresser builder welder machinist operator dispatcher planner buyer " +
      "merchant retailer shopkeeper homemaker student postdoc clinician radiologist optician",
  ),
);

const planWords = new Set(
  wordList(
    "business personal premium pro professional basic free standard enterprise student family joint " +
      "corporate starter team plus gold platinum silver private individual unlimited",
  ),
);
const planNouns = new Set(["plan", "tier", "subscription", "package", "membership", "trial"]);

const numberWords = new Map<string, number>([
  ["no", 0],
  ["zero", 0],
  ["a", 1],
  ["an", 1],
  ["one", 1],
  ["two", 2],
  ["three", 3],
  ["four", 4],
  ["five", 5],
  ["six", 6],
  ["seven", 7],
  ["eight", 8],
  ["nine", 9],
  ["ten", 10],
  ["eleven", 11],
  ["twelve", 12],
]);
const childNouns = new Set(
  wordList("children child kids kid sons son daughters daughter boys girls boy girl"),
);
const childAdjectives = new Set(
  wordList("young little small grown grown-up adult teenage twin wonderful lovely beautiful"),
);

const timezoneAbbreviations = new Set(
  wordList(
    "UTC GMT CET CEST EET EEST WET WEST BST IST EST EDT CST CDT MST MDT PST PDT AKST AKDT HST JST KST " +
      "AEST AEDT ACST AWST NZST NZDT SGT HKT MSK WIB PHT SAST WAT EAT ART BRT",
  ),
);
const timezoneNames = new Set(
  wordList("pacific eastern central mountain atlantic alaska hawaii greenwich european"),
);

/** Preferences are kept only for topics this lexicon knows: `preference:<topic>`, from modifier + head noun. */
const preferenceTopics: readonly { topic: string; heads: readonly string[]; modifiers: readonly string[] }[] =
  [
    { topic: "seat", heads: ["seat", "seats"], modifiers: ["window", "aisle", "middle", "front", "back"] },
    {
      topic: "answer-length",
      heads: [
        "answer",
        "answers",
        "reply",
        "replies",
        "response",
        "responses",
        "explanation",
        "explanations",
      ],
      modifiers: [
        "short",
        "shorter",
        "brief",
        "concise",
        "detailed",
        "long",
        "longer",
        "thorough",
        "step-by-step",
      ],
    },
    {
      topic: "tone",
      heads: ["tone"],
      modifiers: ["formal", "informal", "casual", "friendly", "professional"],
    },
    {
      topic: "appointment-time",
      heads: ["appointment", "appointments", "meeting", "meetings", "slot", "slots"],
      modifiers: ["morning", "afternoon", "evening", "weekend", "weekday", "early", "late", "lunchtime"],
    },
    {
      topic: "delivery-time",
      heads: ["delivery", "deliveries"],
      modifiers: ["morning", "afternoon", "evening", "weekend", "weekday"],
    },
    {
      topic: "statements",
      heads: ["statement", "statements", "invoice", "invoices", "bill", "bills", "receipt", "receipts"],
      modifiers: ["paper", "electronic", "digital", "online", "printed", "paperless", "pdf", "emailed"],
    },
    { topic: "format", heads: ["points", "lists"], modifiers: ["bullet", "numbered", "bulleted"] },
    {
      topic: "diet",
      heads: ["meals", "meal", "food", "options", "dishes"],
      modifiers: ["vegetarian", "vegan"],
    },
  ];

// ---------------------------------------------------------------------------------------------------------------
// Text preparation: sentences and clauses

interface Sentence {
  readonly text: string;
  readonly question: boolean;
}

const abbreviations = new Set(
  wordList("dr mr mrs ms st prof jr sr mt vs etc inc ltd co corp e.g i.e approx"),
);

/**
 * What is read of a message: its first `maxInputChars`, with typographic quotes straightened, fenced code blocks
 * and quoted lines (`> …`) dropped (pasted material is not the end user speaking about themselves), and Markdown
 * emphasis removed.
 */
function prepare(text: string): string {
  const cut = text
    .slice(0, maxInputChars)
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"');
  const unfenced = cut
    .split("```")
    .filter((_, i) => i % 2 === 0)
    .join("\n");
  return unfenced
    .split("\n")
    .filter((line) => !/^\s*>/.test(line))
    .join("\n")
    .replace(/[*_`]+/g, "")
    .replace(/[ \t\u00a0]+/g, " ");
}

/** Splits on sentence ends (. ! ? ; newline), not after "Dr." or "St.", and remembers which ended with "?". */
function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let start = 0;
  const push = (end: number, question: boolean): void => {
    const s = text.slice(start, end).trim();
    if (s !== "") out.push({ text: s, question });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n" || c === ";") {
      push(i, false);
      start = i + 1;
    } else if (c === "?" || c === "!" || c === "." || c === "\u3002" || c === "\uff1f" || c === "\uff01") {
      const next = text[i + 1];
      if (next !== undefined && next !== " " && next !== "\n" && next !== '"' && next !== ")") continue;
      if (c === ".") {
        const word = /([\p{L}.]+)$/u.exec(text.slice(Math.max(start, i - 8), i))?.[1]?.toLowerCase() ?? "";
        if (abbreviations.has(word)) continue;
      }
      const end = i;
      let question = c === "?" || c === "\uff1f";
      // "?!" and "..." end one sentence.
      while (i + 1 < text.length && /[?!.]/.test(text[i + 1] ?? "")) {
        i++;
        if (text[i] === "?") question = true;
      }
      push(end, question);
      start = i + 1;
    }
  }
  push(text.length, false);
  return out;
}

/**
 * Clauses: split at commas, colons and dashes, and before "and/but/so I…" (“I live in Paris and I work at Acme”).
 * Whitespace is single spaces by now, so the separators cannot backtrack over long runs.
 */
function splitClauses(sentence: string): string[] {
  return sentence
    .split(/, |: | [-\u2013\u2014] | (?:and|but|so|because|plus|while) (?=(?:i|my|we|please)\b)/iu)
    .map((c) => c.trim())
    .filter((c) => c !== "");
}

const leadIn =
  /^(?:hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening)|well|oh|ok|okay|so|also|and|but|btw|by the way|fyi|for the record|for your information|just so you know|just to let you know|actually|no|nope|sorry|correction|update|wait|oops|yes|yeah|yep|right|as i said|like i said|as i told you|as mentioned|to be clear|just to be clear|in fact|anyway|anyways|please note|note|remember|please remember|keep in mind|don't forget|do not forget|please|kindly|just|hmm|um|uh|again|now|that|then|plus)\b[ ,:!.-]*/iu;
const correctionLead =
  /^(?:actually|no|nope|sorry|correction|update|wait|oops|to be clear|just to be clear)\b/iu;

/** Drops greetings and connectives before the clause's subject; `correction` when one of them corrects. */
function stripLeadIns(clause: string): { text: string; correction: boolean } {
  let text = clause;
  let correction = false;
  for (let i = 0; i < 5; i++) {
    const m = leadIn.exec(text);
    if (!m || m[0] === "") break;
    if (correctionLead.test(m[0])) correction = true;
    text = text.slice(m[0].length);
  }
  return { text, correction };
}

const interrogative =
  /^(?:what|what's|where|where's|who|who's|whom|whose|when|why|how|which|do|does|did|is|am|are|was|were|can|could|would|will|should|shall|have|has|had|may|might|isn't|aren't|don't|doesn't|didn't|won't|wouldn't|can't|couldn't)\b/iu;
/** "Can you answer in French?" is a request, not a question about the end user. */
const requestForm =
  /^(?:can|could|would|will) you (?:please |kindly |just )?(?:always |only )?(?:answer|reply|respond|write|speak|talk|communicate|chat|contact|reach|email|text|call|message)\b/iu;
const tagQuestion =
  /^(?:right|correct|no|yes|yeah|ok|okay|true|isn't it|is it|don't i|do i|aren't i|am i right|am i|or not|huh|eh)$/iu;
const hypothetical =
  /\b(?:if|unless|suppose|supposing|imagine|pretend|hypothetically|wish|assuming|whether|what if|let's say|lets say|in case)\b/iu;
const politeIf =
  /\bif (?:possible|you can|you could|you don't mind|you do not mind|that's ok|that's okay|that's alright|you please)\b/giu;
const sarcasm =
  /\b(?:lol|lmao|rofl|haha+|hehe+|jk|j\/k|just kidding|kidding|yeah right|as if)\b|\/s\b|[\u{1F602}\u{1F923}\u{1F644}\u{1F61C}\u{1F61D}]/iu;
const sarcasmOnly = /^(?:lol|lmao|rofl|haha+|hehe+|jk|j\/k|just kidding|kidding|\/s)$/iu;
const reportingEnd =
  /\b(?:said|says|told me|tells me|asked|asks|wrote|writes|thinks|thought|claims|claimed|believes|believed|insists|insisted)$/iu;
const ownReport = /^(?:as |like )?i (?:said|told you|wrote|mentioned)$/iu;

// ---------------------------------------------------------------------------------------------------------------
// Value parsers (token scanners: linear, no regex over the remainder)

interface Token {
  /** The word without surrounding punctuation ("St." keeps its dot). */
  readonly word: string;
  readonly lower: string;
  /** Punctuation after it ends the phrase. */
  readonly stop: boolean;
}

function tokens(rest: string, limit = 12): Token[] {
  const out: Token[] = [];
  for (const raw of rest.split(" ")) {
    if (out.length >= limit) break;
    if (raw === "") continue;
    const lead = raw.replace(/^[("']+/u, "");
    const word = lead.replace(/[,;:!?)"]+$/u, "").replace(/'$/u, "");
    if (word === "") break;
    out.push({ word, lower: word.toLowerCase(), stop: word.length < lead.length });
  }
  return out;
}

const isCapitalised = (w: string): boolean => /^[\p{Lu}\d]/u.test(w) && /\p{L}/u.test(w);
const isWord = (w: string): boolean => /^[\p{L}][\p{L}'-]*$/u.test(w);
const isPossessive = (w: string): boolean => /'s$/iu.test(w);
const capitalise = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

/** A person's name: up to three capitalised words (after an optional title), then the end or a word in `afterName`. */
function parseName(rest: string, allowLower: boolean, requireTail?: ReadonlySet<string>): string | null {
  const t = tokens(rest, 8);
  const words: string[] = [];
  let i = 0;
  if (t[0] && nameTitles.has(t[0].lower) && t[1] && isCapitalised(t[1].word)) {
    words.push(t[0].word);
    i = 1;
  }
  const first = words.length;
  while (i < t.length && words.length - first < 3) {
    const tok = t[i] as Token;
    const lower = !isCapitalised(tok.word);
    const ok =
      isWord(tok.word.replace(/\.$/u, "")) &&
      !isPossessive(tok.word) &&
      !notNames.has(tok.lower) &&
      (!lower || (allowLower && words.length === first && /^\p{Ll}{2,20}$/u.test(tok.word)));
    if (!ok) break;
    words.push(capitalise(tok.word));
    i++;
    // Punctuation ends a name, and a lower-case name is one word.
    if (tok.stop || lower) break;
  }
  if (words.length === first) return null;
  const tail = t[i];
  const ended = tail === undefined || (t[i - 1] as Token).stop;
  if (requireTail) {
    if (ended || !requireTail.has(tail.lower)) return null;
  } else if (!ended && !afterName.has(tail.lower)) return null;
  return words.join(" ");
}

/** A place or organisation: capitalised words joined by connectors ("Rio de Janeiro", "the Bank of England"). */
function parseProperNoun(
  rest: string,
  options: { maxWords: number; possessive: boolean; stopWords: ReadonlySet<string> },
): { value: string; article: boolean; next: Token[] } | null {
  const t = tokens(rest, options.maxWords + 6);
  let i = 0;
  let article = false;
  if (t[0]?.lower === "the" && t[1] && isCapitalised(t[1].word)) {
    article = true;
    i = 1;
  }
  const words: string[] = [];
  while (i < t.length && words.length < options.maxWords) {
    const tok = t[i] as Token;
    if (
      isCapitalised(tok.word) &&
      !options.stopWords.has(tok.lower) &&
      tok.lower !== "i" &&
      tok.lower !== "i'm"
    ) {
      if (!options.possessive && isPossessive(tok.word)) return null;
      words.push(tok.word);
      i++;
      if (tok.stop) break;
      continue;
    }
    // A connector joins two capitalised words only.
    const after = t[i + 1];
    if (
      words.length > 0 &&
      nameConnectors.has(tok.lower) &&
      !tok.stop &&
      after &&
      isCapitalised(after.word) &&
      after.lower !== "i" &&
      after.lower !== "i'm"
    ) {
      words.push(tok.word);
      i++;
      continue;
    }
    break;
  }
  if (words.length === 0) return null;
  return { value: words.join(" ").replace(/\.$/u, ""), article, next: t.slice(i) };
}

const placeOptions = { maxWords: 5, possessive: false, stopWords: notPlaces };
const orgOptions = { maxWords: 5, possessive: true, stopWords: notPlaces };

/** A job title: up to four lower-case words ending in a known role noun ("software engineer"). */
function parseRole(rest: string): { value: string; next: Token[] } | null {
  const t = tokens(rest, 10);
  let best = -1;
  for (let i = 0; i < Math.min(4, t.length); i++) {
    const tok = t[i] as Token;
    if (!isWord(tok.word) || /^(?:a|an|the|and|or|of|my|your|big|bit|huge|fan|lot|little)$/u.test(tok.lower))
      break;
    if (roleNouns.has(tok.lower)) best = i;
    if (tok.stop) break;
  }
  if (best < 0) return null;
  return {
    value: t
      .slice(0, best + 1)
      .map((x) => x.lower)
      .join(" "),
    next: t.slice(best + 1),
  };
}

/** An employer after a role: "… at Acme", "… for the City of Berlin". */
function employerAfter(next: readonly Token[], confidence: number, pattern: string): Found[] {
  const joiner = next[0];
  if (!joiner || joiner.stop || !["at", "for", "with"].includes(joiner.lower)) return [];
  const rest = next
    .slice(1)
    .map((x) => x.word + (x.stop ? "," : ""))
    .join(" ");
  const org = parseProperNoun(rest, orgOptions);
  if (!org) return [];
  return [employerFound(org, confidence, pattern)];
}

const employerFound = (
  org: { value: string; article: boolean },
  confidence: number,
  pattern: string,
): Found => ({
  kind: "fact",
  key: "employer",
  value: org.value,
  text: `You work at ${org.article ? "the " : ""}${org.value}.`,
  confidence,
  pattern,
});

/** Language names, optionally followed only by words that keep the sentence about language ("French, please"). */
const afterLanguage = new Set(
  wordList(
    "please from now thanks thank if instead only going next rather to over than with for as and " +
      "whenever when always too",
  ),
);

function parseLanguage(rest: string, strictTail: boolean): string | null {
  const t = tokens(rest, 4);
  let i = 0;
  if (t[0]?.lower === "in") i = 1;
  const tok = t[i];
  if (!tok) return null;
  const language = languageByLower.get(tok.lower);
  if (!language) return null;
  const tail = t[i + 1];
  if (strictTail && tail && !tok.stop && !afterLanguage.has(tail.lower)) return null;
  return language;
}

const preferFillers = new Set(
  wordList(
    "to speak speaking communicate communicating talk talking chat chatting write writing get getting " +
      "receive receiving have answers replies responses messages it we use using the be being answered " +
      "served helped addressed",
  ),
);

interface Channel {
  readonly value: string;
  readonly text: string;
  readonly length: number;
}

function parseChannel(t: readonly Token[], from: number): Channel | null {
  let i = from;
  while (t[i] && ["my", "a", "an", "the"].includes((t[i] as Token).lower)) i++;
  const a = t[i]?.lower;
  const b = t[i + 1]?.lower;
  const by = (value: string, n: number, on = false): Channel => ({
    value,
    text: `You prefer to be contacted ${on ? "on" : "by"} ${value}.`,
    length: i + n - from,
  });
  if (a === undefined) return null;
  if (a === "email" || a === "e-mail" || a === "emails") return by("email", 1);
  if (a === "text" && (b === "message" || b === "messages")) return by("SMS", 2);
  if (a === "text" || a === "texts" || a === "sms") return by("SMS", 1);
  if (a === "phone" && (b === "call" || b === "calls")) return by("phone", 2);
  if (["phone", "telephone", "call", "calls", "mobile", "cell", "cellphone", "landline"].includes(a))
    return by("phone", 1);
  if (a === "whatsapp") return by("WhatsApp", 1, true);
  if (a === "signal") return by("Signal", 1, true);
  if (a === "telegram") return by("Telegram", 1, true);
  if (a === "post" || a === "mail" || a === "letter" || a === "letters") return by("post", 1);
  if (a === "snail" && b === "mail") return by("post", 2);
  return null;
}

const afterChannel = new Set(
  wordList(
    "please than over to rather if for instead only thanks communication contact whenever when from " +
      "going as",
  ),
);

function channelAt(t: readonly Token[], from: number, strictTail: boolean): Channel | null {
  const c = parseChannel(t, from);
  if (!c) return null;
  const last = t[from + c.length - 1];
  const tail = t[from + c.length];
  if (strictTail && tail && !last?.stop && !afterChannel.has(tail.lower)) return null;
  return c;
}

function parseCount(tok: Token | undefined): number | null {
  if (!tok) return null;
  if (/^\d{1,2}$/u.test(tok.word)) return Number(tok.word);
  return numberWords.get(tok.lower) ?? null;
}

/** "two children", "no kids", "a son", "3 little boys". */
function parseChildren(rest: string): { count: number; phrase: string } | null {
  const t = tokens(rest, 5);
  const count = parseCount(t[0]);
  if (count === null) return null;
  let i = 1;
  if (t[i] && childAdjectives.has((t[i] as Token).lower)) i++;
  const noun = t[i];
  if (!noun || !childNouns.has(noun.lower)) return null;
  return {
    count,
    phrase: t
      .slice(0, i + 1)
      .map((x) => x.word)
      .join(" "),
  };
}

function parseTimezone(rest: string, needsSuffix: boolean): { value: string; text: string } | null {
  const t = tokens(rest, 6);
  const a = t[0];
  if (!a) return null;
  const offset = /^(UTC|GMT)([+-]\d{1,2}(?::?\d{2})?)?$/iu.exec(a.word);
  if (offset) {
    const value = `${(offset[1] as string).toUpperCase()}${offset[2] ?? ""}`;
    return { value, text: `Your time zone is ${value}.` };
  }
  if (timezoneAbbreviations.has(a.word)) return { value: a.word, text: `Your time zone is ${a.word}.` };
  if (/^[A-Z][a-z]+\/[A-Z][A-Za-z_]+(?:\/[A-Z][A-Za-z_]+)?$/u.test(a.word))
    return { value: a.word, text: `Your time zone is ${a.word}.` };
  if (timezoneNames.has(a.lower) && isCapitalised(a.word)) {
    let i = 1;
    const words = [a.word];
    if (t[i] && ["standard", "daylight", "summer", "european", "mean"].includes((t[i] as Token).lower)) {
      words.push((t[i] as Token).word);
      i++;
    }
    const suffix = t[i]?.lower;
    if (suffix !== "time" && suffix !== "timezone") {
      if (needsSuffix) return null;
    }
    const value = words.join(" ");
    return { value, text: `Your time zone is ${value} time.` };
  }
  return null;
}

const pronounSet =
  /^(?:she|he|they|xe|ze|it|any|her|him|them|hers|his|theirs|xem|zir|its)(?:\/(?:she|he|they|xe|ze|it|any|her|him|them|hers|his|theirs|xem|zir|its|all)){1,2}$/iu;

// ---------------------------------------------------------------------------------------------------------------
// The pattern set

interface Found {
  readonly kind: MemoryKind;
  readonly key: string;
  readonly value: string;
  readonly text: string;
  readonly confidence: number;
  readonly pattern: string;
}

interface RulePattern extends MemoryPatternDoc {
  readonly key: string;
  /** Anchored at the clause's start, no nested quantifiers. */
  readonly lead: RegExp;
  /** Reads the value after the lead; [] when there is none. */
  readonly read: (rest: string, lead: RegExpExecArray, self: RulePattern) => Found[];
}

const found = (self: RulePattern, value: string, text: string, over: Partial<Found> = {}): Found[] => [
  { kind: self.kind, key: self.key, value, text, confidence: self.confidence, pattern: self.id, ...over },
];

const I_AM = "(?:i am|i'm|im)";

const rulePatterns: readonly RulePattern[] = [
  // Names
  {
    id: "name.my-name-is",
    kind: "fact",
    key: "name",
    description: '"my name is X" / "my name\'s X" (a lower-case single name is accepted and capitalised)',
    example: "My name is Dana.",
    confidence: 0.95,
    lead: /^my (?:full |first )?name(?: is|'s) /iu,
    read: (rest, _m, self) => {
      const name = parseName(rest, true);
      return name ? found(self, name, `Your name is ${name}.`) : [];
    },
  },
  {
    id: "name.call-me",
    kind: "fact",
    key: "name",
    description:
      '"call me X" with a capitalised X that is not a day, time or filler ("call me back" is not a name)',
    example: "Please call me Dana.",
    confidence: 0.85,
    lead: /^(?:you can |you may |just )?call me /iu,
    read: (rest, _m, self) => {
      const name = parseName(rest, false);
      return name ? found(self, name, `Your name is ${name}.`) : [];
    },
  },
  {
    id: "name.go-by",
    kind: "fact",
    key: "name",
    description: '"I go by X" with a capitalised X',
    example: "I go by Sam.",
    confidence: 0.85,
    lead: /^i go by /iu,
    read: (rest, _m, self) => {
      const name = parseName(rest, false);
      return name ? found(self, name, `Your name is ${name}.`) : [];
    },
  },
  {
    id: "name.i-am",
    kind: "fact",
    key: "name",
    description:
      '"I\'m X" / "I am X" with a capitalised X that is not a nationality, language, day or state ("I\'m tired", ' +
      '"I\'m Canadian", "I\'m looking for" are not names), followed by nothing or "and", "from", "here", "btw"…',
    example: "I'm Dana from Acme.",
    confidence: 0.65,
    lead: new RegExp(`^${I_AM} `, "iu"),
    read: (rest, _m, self) => {
      const name = parseName(rest, false);
      return name ? found(self, name, `Your name is ${name}.`) : [];
    },
  },
  {
    id: "name.this-is",
    kind: "fact",
    key: "name",
    description: '"this is X speaking/here/from …" (how people open a call or an email)',
    example: "This is Mei from the finance team.",
    confidence: 0.6,
    lead: /^this is /iu,
    read: (rest, _m, self) => {
      const name = parseName(rest, false, new Set(["speaking", "here", "from"]));
      return name ? found(self, name, `Your name is ${name}.`) : [];
    },
  },
  // Where they live
  {
    id: "city.live-in",
    kind: "fact",
    key: "city",
    description: '"I live in X" / "I\'m living in X" / "I reside in X" with a capitalised place',
    example: "I live in Berlin.",
    confidence: 0.9,
    lead: /^i (?:currently |now |still )?(?:live|reside) in /iu,
    read: (rest, _m, self) => {
      const place = parseProperNoun(rest, placeOptions);
      return place
        ? found(self, place.value, `You live in ${place.article ? "the " : ""}${place.value}.`)
        : [];
    },
  },
  {
    id: "city.we-live-in",
    kind: "fact",
    key: "city",
    description: '"we live in X" (the end user and their household)',
    example: "We live in Ghent.",
    confidence: 0.75,
    lead: /^we (?:currently |now |still )?(?:live|reside|are living|'re living) in /iu,
    read: (rest, _m, self) => {
      const place = parseProperNoun(rest, placeOptions);
      return place
        ? found(self, place.value, `You live in ${place.article ? "the " : ""}${place.value}.`)
        : [];
    },
  },
  {
    id: "city.moved-to",
    kind: "fact",
    key: "city",
    description: '"I (just/recently) moved to X" / "we relocated to X" (a move supersedes the old city)',
    example: "I moved to Berlin.",
    confidence: 0.85,
    lead: /^(?:i|we)(?: have|'ve)?(?: just| recently| finally| now)? (?:moved|relocated) to /iu,
    read: (rest, _m, self) => {
      const place = parseProperNoun(rest, placeOptions);
      return place
        ? found(self, place.value, `You live in ${place.article ? "the " : ""}${place.value}.`)
        : [];
    },
  },
  {
    id: "city.based-in",
    kind: "fact",
    key: "city",
    description: '"I\'m based/located/living in X"',
    example: "I'm based in Lyon.",
    confidence: 0.85,
    lead: new RegExp(`^${I_AM} (?:currently |now )?(?:based|located|living) in `, "iu"),
    read: (rest, _m, self) => {
      const place = parseProperNoun(rest, placeOptions);
      return place
        ? found(self, place.value, `You live in ${place.article ? "the " : ""}${place.value}.`)
        : [];
    },
  },
  // Work
  {
    id: "employer.work-at",
    kind: "fact",
    key: "employer",
    description: '"I work at/for X" with a capitalised organisation ("I work for a small bank" is not kept)',
    example: "I work at Acme.",
    confidence: 0.85,
    lead: /^i (?:currently |now |still )?work (?:at|for) /iu,
    read: (rest, _m, self) => {
      const org = parseProperNoun(rest, orgOptions);
      return org ? [employerFound(org, self.confidence, self.id)] : [];
    },
  },
  {
    id: "employer.employed-by",
    kind: "fact",
    key: "employer",
    description: '"I\'m employed by/at X" / "I\'m working at/for X"',
    example: "I'm employed by the City of Berlin.",
    confidence: 0.85,
    lead: new RegExp(`^${I_AM} (?:currently |now )?(?:employed|working) (?:at|by|for) `, "iu"),
    read: (rest, _m, self) => {
      const org = parseProperNoun(rest, orgOptions);
      return org ? [employerFound(org, self.confidence, self.id)] : [];
    },
  },
  {
    id: "employer.my-employer",
    kind: "fact",
    key: "employer",
    description: '"my employer/company/workplace is X"',
    example: "My employer is Globex.",
    confidence: 0.9,
    lead: /^my (?:employer|company|workplace) is /iu,
    read: (rest, _m, self) => {
      const org = parseProperNoun(rest, orgOptions);
      return org ? [employerFound(org, self.confidence, self.id)] : [];
    },
  },
  {
    id: "role.work-as",
    kind: "fact",
    key: "role",
    description: '"I work as a X" with X ending in a known job noun (and "… at Y" gives the employer too)',
    example: "I work as a nurse at St. Mary's Hospital.",
    confidence: 0.85,
    lead: /^i (?:currently |now )?work as (?:a |an )?/iu,
    read: (rest, _m, self) => {
      const role = parseRole(rest);
      if (!role) return [];
      return [
        ...found(self, role.value, `You work as ${article(role.value)} ${role.value}.`),
        ...employerAfter(role.next, 0.8, self.id),
      ];
    },
  },
  {
    id: "role.my-role",
    kind: "fact",
    key: "role",
    description: '"my job title/role/job/position is X" with X ending in a known job noun',
    example: "My job title is product manager.",
    confidence: 0.9,
    lead: /^my (?:job title|job|role|position|occupation|profession) is (?:a |an |the )?/iu,
    read: (rest, _m, self) => {
      const role = parseRole(rest);
      return role ? found(self, role.value, `You work as ${article(role.value)} ${role.value}.`) : [];
    },
  },
  {
    id: "role.i-am-a",
    kind: "fact",
    key: "role",
    description:
      '"I\'m a/an X" with X ending in a known job noun ("I\'m a big fan" is not a job); "… at Y" gives the employer',
    example: "I'm a software engineer at Spotify.",
    confidence: 0.7,
    lead: new RegExp(`^${I_AM} (?:a|an) `, "iu"),
    read: (rest, _m, self) => {
      const role = parseRole(rest);
      if (!role) return [];
      return [
        ...found(self, role.value, `You are ${article(role.value)} ${role.value}.`),
        ...employerAfter(role.next, 0.8, self.id),
      ];
    },
  },
  // Language
  {
    id: "language.answer-in",
    kind: "preference",
    key: "language",
    description:
      '"(please / can you / I\'d like you to) answer|reply|respond|write|speak in X", "I\'d like answers in X"',
    example: "Please answer in Spanish.",
    confidence: 0.9,
    lead: /^(?:(?:can|could|would|will) you |i(?:'d| would) like (?:you to )?|i want (?:you to )?|i need (?:you to )?)?(?:please )?(?:always |only )?(?:answer|reply|respond|write|speak|talk|communicate|chat|answers|replies|responses)(?: to me| back| with me)?(?: only| always)? in /iu,
    read: (rest, _m, self) => {
      const language = parseLanguage(rest, false);
      return language ? found(self, language, `You prefer answers in ${language}.`) : [];
    },
  },
  {
    id: "language.prefer",
    kind: "preference",
    key: "language",
    description:
      '"I prefer X" / "I prefer to communicate in X" where X is a language and nothing else follows',
    example: "I prefer French.",
    confidence: 0.9,
    lead: /^i(?: would|'d)? prefer /iu,
    read: (rest, _m, self) => {
      const t = tokens(rest, 8);
      let i = 0;
      while (i < 5 && t[i] && preferFillers.has((t[i] as Token).lower)) i++;
      const language = parseLanguage(
        t
          .slice(i)
          .map((x) => x.word + (x.stop ? "," : ""))
          .join(" "),
        true,
      );
      return language ? found(self, language, `You prefer answers in ${language}.`) : [];
    },
  },
  {
    id: "language.only-speak",
    kind: "preference",
    key: "language",
    description: '"I only speak X"',
    example: "I only speak German.",
    confidence: 0.8,
    lead: /^i (?:only|just) (?:speak|understand|read) /iu,
    read: (rest, _m, self) => {
      const language = parseLanguage(rest, true);
      return language ? found(self, language, `You prefer answers in ${language}.`) : [];
    },
  },
  {
    id: "language.speak",
    kind: "fact",
    key: "language",
    description: '"I speak X" (a weaker reading: an explicit "answer in Y" in the same message wins)',
    example: "I speak German.",
    confidence: 0.6,
    lead: /^i speak /iu,
    read: (rest, _m, self) => {
      const language = parseLanguage(rest, true);
      return language ? found(self, language, `You speak ${language}.`) : [];
    },
  },
  {
    id: "language.native",
    kind: "fact",
    key: "native-language",
    description: '"my native/first language is X", "my mother tongue is X"',
    example: "My native language is Turkish.",
    confidence: 0.85,
    lead: /^my (?:native|first|mother) (?:language|tongue) is /iu,
    read: (rest, _m, self) => {
      const language = parseLanguage(rest, true);
      return language ? found(self, language, `Your native language is ${language}.`) : [];
    },
  },
  // Contact
  {
    id: "contact.prefer",
    kind: "preference",
    key: "contact",
    description:
      '"I prefer email" / "I\'d prefer to be contacted by phone" (email, phone, SMS, WhatsApp, post…)',
    example: "I prefer to be contacted by email.",
    confidence: 0.85,
    lead: /^i(?: would|'d)? prefer (?:to be |being )?(?:contacted |reached |called |updated |informed )?(?:by |via |through |over |on )?/iu,
    read: (rest, _m, self) => {
      const c = channelAt(tokens(rest, 6), 0, true);
      return c ? found(self, c.value, c.text) : [];
    },
  },
  {
    id: "contact.by",
    kind: "preference",
    key: "contact",
    description: '"(please) contact/reach/email/call me by/via/on X"',
    example: "Please contact me via WhatsApp.",
    confidence: 0.85,
    lead: /^(?:(?:can|could|would|will) you |i(?:'d| would) like (?:you to )?|i want (?:you to )?)?(?:please )?(?:only |always )?(?:contact|reach|call|email|text|message|ring|update|notify) (?:me|us) (?:only |always )?(?:by|via|through|over|on|using) /iu,
    read: (rest, _m, self) => {
      const c = channelAt(tokens(rest, 6), 0, false);
      return c ? found(self, c.value, c.text) : [];
    },
  },
  {
    id: "contact.instead",
    kind: "preference",
    key: "contact",
    description: '"email/text/call me instead" (a channel chosen over another)',
    example: "Don't call me, email me instead.",
    confidence: 0.8,
    lead: /^(?:just |only )?(email|e-mail|text|call|phone|ring|whatsapp) (?:me|us) (?:instead|rather|only)\b/iu,
    read: (_rest, m, self) => {
      const c = parseChannel(tokens(m[1] ?? "", 1), 0);
      return c ? found(self, c.value, c.text) : [];
    },
  },
  {
    id: "contact.best",
    kind: "preference",
    key: "contact",
    description: '"the best way to reach me is X" / "email is best for me"',
    example: "The best way to reach me is by text message.",
    confidence: 0.85,
    lead: /^(?:(?:the )?(?:best|easiest|preferred) way to (?:reach|contact|get hold of|get in touch with) me is (?:by |via |through |over |on )?|(?=(?:an? )?(?:email|e-mail|phone|phone calls?|calls?|text messages?|texts|sms|whatsapp|post|mail) (?:is|works) (?:the )?(?:best|better|preferred|easiest)\b))/iu,
    read: (rest, _m, self) => {
      const c = channelAt(tokens(rest, 6), 0, false);
      return c ? found(self, c.value, c.text) : [];
    },
  },
  // Account and plan
  {
    id: "plan.on-plan",
    kind: "fact",
    key: "plan",
    description: '"I\'m on the X plan/tier/subscription/package/trial"',
    example: "I'm on the business plan.",
    confidence: 0.9,
    lead: new RegExp(`^(?:${I_AM}|we are|we're) (?:currently |now |still )?on (?:the |a |an )?`, "iu"),
    read: (rest, _m, self) => planFound(self, rest, "plan"),
  },
  {
    id: "plan.changed-to",
    kind: "fact",
    key: "plan",
    description: '"I upgraded/switched/downgraded to the X plan"',
    example: "I switched to the family plan.",
    confidence: 0.85,
    lead: /^(?:i|we)(?: have|'ve)?(?: just| recently)? (?:upgraded|downgraded|switched|changed|moved) (?:over )?to (?:the |a |an )?/iu,
    read: (rest, _m, self) => planFound(self, rest, "plan"),
  },
  {
    id: "plan.my-account",
    kind: "fact",
    key: "plan",
    description:
      '"my account is a X account", "my account type/plan/subscription is X" (X a known plan word)',
    example: "My account is a business account.",
    confidence: 0.9,
    lead: /^my (?:account|membership|subscription|plan)(?: type)? is (?:a |an |the |on the )?/iu,
    read: (rest, _m, self) => planFound(self, rest, "account"),
  },
  {
    id: "plan.have-account",
    kind: "fact",
    key: "plan",
    description:
      '"I have a X account/plan/subscription" with X a known plan word ("a bank account" is not one)',
    example: "I have a business account with you.",
    confidence: 0.8,
    lead: /^(?:i|we)(?:'ve got| have got| have|'ve) (?:a|an) /iu,
    read: (rest, _m, self) => {
      const t = tokens(rest, 3);
      const [a, b] = t;
      if (!a || !b || !planWords.has(a.lower)) return [];
      if (b.lower === "account")
        return found(self, a.word, `Your account is ${article(a.lower)} ${a.word} account.`);
      if (planNouns.has(b.lower)) return found(self, a.word, `You are on the ${a.word} ${b.lower}.`);
      return [];
    },
  },
  {
    id: "plan.member",
    kind: "fact",
    key: "plan",
    description: '"I\'m a X member/customer/subscriber" with X a known plan word',
    example: "I'm a premium member.",
    confidence: 0.8,
    lead: new RegExp(`^${I_AM} (?:a|an) `, "iu"),
    read: (rest, _m, self) => {
      const [a, b] = tokens(rest, 3);
      if (!a || !b || !planWords.has(a.lower)) return [];
      if (!["member", "customer", "subscriber", "user", "client"].includes(b.lower)) return [];
      return found(self, a.word, `You are ${article(a.lower)} ${a.word} ${b.lower}.`);
    },
  },
  // Family
  {
    id: "children.have",
    kind: "fact",
    key: "children",
    description:
      '"I have / we\'ve got N children|kids|sons|daughters" (N a number word or digits; "no children" is 0)',
    example: "I have two children.",
    confidence: 0.9,
    lead: /^(?:i|we)(?:'ve got| have got| have|'ve| got) /iu,
    read: (rest, _m, self) => {
      const c = parseChildren(rest);
      return c ? found(self, String(c.count), `You have ${c.phrase.toLowerCase()}.`) : [];
    },
  },
  {
    id: "children.none",
    kind: "fact",
    key: "children",
    description: '"I don\'t have (any) children/kids"',
    example: "I don't have any kids.",
    confidence: 0.85,
    lead: /^(?:i|we) (?:don't|do not) have (?:any )?(?=children\b|kids\b)/iu,
    read: (_rest, _m, self) => found(self, "0", "You have no children."),
  },
  {
    id: "children.parent-of",
    kind: "fact",
    key: "children",
    description: '"I\'m a mother/father/parent of N"',
    example: "I'm a mother of four.",
    confidence: 0.85,
    lead: new RegExp(`^${I_AM} (?:a )?(?:proud )?(?:mother|father|mom|mum|dad|parent) of `, "iu"),
    read: (rest, _m, self) => {
      const t = tokens(rest, 2);
      const count = parseCount(t[0]);
      if (count === null || count < 1) return [];
      return found(
        self,
        String(count),
        `You have ${(t[0] as Token).lower} ${count === 1 ? "child" : "children"}.`,
      );
    },
  },
  // Time zone
  {
    id: "timezone.my",
    kind: "fact",
    key: "timezone",
    description: '"my time zone is X" (UTC±N, CET, PST…, Europe/Berlin, Pacific time)',
    example: "My time zone is CET.",
    confidence: 0.9,
    lead: /^my time ?zone is (?:the )?/iu,
    read: (rest, _m, self) => {
      const tz = parseTimezone(rest, false);
      return tz ? found(self, tz.value, tz.text) : [];
    },
  },
  {
    id: "timezone.in",
    kind: "fact",
    key: "timezone",
    description: '"I\'m in the X time zone" / "I\'m on X time" / "I\'m on UTC+2"',
    example: "I'm on Pacific time.",
    confidence: 0.85,
    lead: new RegExp(`^(?:${I_AM}|we are|we're) (?:in|on) (?:the )?`, "iu"),
    read: (rest, _m, self) => {
      const tz = parseTimezone(rest, true);
      return tz ? found(self, tz.value, tz.text) : [];
    },
  },
  // Pronouns
  {
    id: "pronouns.my",
    kind: "fact",
    key: "pronouns",
    description: '"my pronouns are she/her", "I use they/them pronouns"',
    example: "My pronouns are she/her.",
    confidence: 0.95,
    lead: /^(?:my pronouns are |i use (?=\S+ pronouns\b))/iu,
    read: (rest, _m, self) => {
      const [p] = tokens(rest, 1);
      return p && pronounSet.test(p.word) ? found(self, p.lower, `Your pronouns are ${p.lower}.`) : [];
    },
  },
  // Preferences in the topic lexicon
  {
    id: "preference.like",
    kind: "preference",
    key: "preference:<topic>",
    description:
      '"I prefer/like/love/want X" where X is a modifier and head noun the topic lexicon knows (window seats, short ' +
      "answers, morning appointments, paper statements, a formal tone, bullet points); anything else is skipped",
    example: "I prefer window seats.",
    confidence: 0.75,
    lead: /^i(?: really| always| generally| usually)?(?: would|'d)? (?:prefer|like|love|want|enjoy)(?: to (?:have|get|receive))? /iu,
    read: (rest, _m, self) => topicFound(self, rest, true),
  },
  {
    id: "preference.dislike",
    kind: "preference",
    key: "preference:<topic>",
    description: '"I don\'t like / hate / dislike X" for the same topics',
    example: "I don't like long explanations.",
    confidence: 0.75,
    lead: /^i (?:(?:really )?(?:don't|do not) (?:like|want|enjoy)|hate|dislike|can't stand|cannot stand) /iu,
    read: (rest, _m, self) => topicFound(self, rest, false),
  },
  {
    id: "preference.keep-short",
    kind: "preference",
    key: "preference:answer-length",
    description: '"please keep your answers short/brief"',
    example: "Please keep your answers short.",
    confidence: 0.75,
    lead: /^keep (?:your |the |them |it |things )?(?:answers |replies |responses |messages )?(?=short\b|brief\b|concise\b)/iu,
    read: (rest, _m, self) => {
      const [a] = tokens(rest, 1);
      return a ? found(self, `${a.lower} answers`, `You prefer ${a.lower} answers.`) : [];
    },
  },
  {
    id: "preference.diet",
    kind: "preference",
    key: "preference:diet",
    description: '"I\'m (a) vegetarian / vegan / pescatarian"',
    example: "I'm vegan.",
    confidence: 0.8,
    lead: new RegExp(
      `^(?:${I_AM}|we are|we're) (?:a |strictly |fully )?(?=vegetarian\\b|vegan\\b|pescatarian\\b)`,
      "iu",
    ),
    read: (rest, _m, self) => {
      const [a] = tokens(rest, 1);
      return a ? found(self, a.lower, `You are ${a.lower}.`) : [];
    },
  },
];

function article(phrase: string): string {
  return /^[aeiou]/iu.test(phrase) ? "an" : "a";
}

function planFound(self: RulePattern, rest: string, form: "plan" | "account"): Found[] {
  const t = tokens(rest, 4);
  const words: Token[] = [];
  let i = 0;
  for (; i < 2 && t[i]; i++) {
    const tok = t[i] as Token;
    if (planNouns.has(tok.lower) || tok.lower === "account" || !/^[\p{L}+]+$/u.test(tok.word)) break;
    words.push(tok);
    if (tok.stop) {
      i++;
      break;
    }
  }
  if (words.length === 0) return [];
  const value = words.map((w) => w.word).join(" ");
  const noun = t[i]?.lower;
  const known = words.length === 1 && planWords.has((words[0] as Token).lower);
  if (noun === "account") {
    if (!known) return [];
    return found(self, value, `Your account is ${article(value)} ${value} account.`);
  }
  if (noun !== undefined && planNouns.has(noun)) {
    if (noun === "trial") return found(self, `${value} trial`, `You are on the ${value} trial.`);
    return found(self, value, `You are on the ${value} ${noun}.`);
  }
  // "My plan is Premium", "I upgraded to Pro": a known plan word with nothing after it.
  if (known && (noun === undefined || (words[words.length - 1] as Token).stop)) {
    return found(
      self,
      value,
      form === "account"
        ? `Your account is ${article(value)} ${value} account.`
        : `You are on the ${value} plan.`,
    );
  }
  return [];
}

function topicFound(self: RulePattern, rest: string, positive: boolean): Found[] {
  const t = tokens(rest, 4);
  let i = 0;
  if (t[0] && ["a", "an", "the"].includes(t[0].lower)) i = 1;
  const modifier = t[i];
  const head = t[i + 1];
  if (!modifier || !head || modifier.stop) return [];
  for (const topic of preferenceTopics) {
    if (!topic.modifiers.includes(modifier.lower) || !topic.heads.includes(head.lower)) continue;
    const phrase = `${modifier.lower} ${head.lower}`;
    return positive
      ? found(self, phrase, `You prefer ${i === 1 ? `${(t[0] as Token).lower} ` : ""}${phrase}.`, {
          key: `preference:${topic.topic}`,
        })
      : found(self, `not ${phrase}`, `You don't like ${phrase}.`, { key: `preference:${topic.topic}` });
  }
  return [];
}

/** What a clause states, by every pattern whose lead matches it. */
function readClause(clause: string): Found[] {
  const window = clause.slice(0, clauseWindowChars);
  const out: Found[] = [];
  for (const p of rulePatterns) {
    const m = p.lead.exec(window);
    if (!m) continue;
    out.push(...p.read(window.slice(m[0].length), m, p));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Forget requests

const forgetLead =
  /^(?:(?:please|kindly|just|ok|okay|now|and|so|also|hey|hi) )*(?:(?:can|could|would|will) you (?:please |kindly |just )?|i (?:want|need|would like|'d like) you to (?:please )?|please )?(forget|unlearn|stop remembering|don't remember|do not remember|delete|erase|remove|wipe|clear) /iu;
/** Delete/erase/remove are forget requests only when they name memory or what the end user said. */
const aboutMemory =
  /\b(?:from (?:your )?(?:memory|memories|records|notes)|what you (?:know|remember)|what i (?:just )?(?:said|told you|wrote|mentioned))\b/iu;
const lastThing =
  /^(?:that|this|all that|all of that|that too|that last (?:bit|part|message)|what i (?:just )?(?:said|told you|wrote|mentioned|typed)|everything i (?:just )?(?:said|told you)|the last thing i (?:said|told you|wrote)|my last message)$/iu;

/** Phrases that name one memory key: "forget where I live" → `city`. */
const forgetKeys: readonly (readonly [string, readonly string[]])[] = [
  ["name", ["my name", "what my name is", "what i'm called", "what to call me", "my first name"]],
  [
    "city",
    [
      "my address",
      "my home address",
      "where i live",
      "where i'm based",
      "where i am based",
      "my city",
      "my location",
      "where i moved",
      "where i moved to",
      "my home",
    ],
  ],
  ["employer", ["where i work", "my employer", "my company", "my workplace", "who i work for"]],
  [
    "role",
    ["my job", "my role", "my job title", "my position", "what i do", "my occupation", "my profession"],
  ],
  [
    "language",
    [
      "my language",
      "my language preference",
      "which language i prefer",
      "my preferred language",
      "my language choice",
    ],
  ],
  ["native-language", ["my native language", "my first language", "my mother tongue"]],
  ["contact", ["my contact preference", "my contact preferences", "how to contact me", "how to reach me"]],
  ["plan", ["my plan", "my account type", "my subscription", "my membership", "my tier"]],
  ["children", ["my children", "my kids", "my child", "my son", "my daughter", "my sons", "my daughters"]],
  ["timezone", ["my time zone", "my timezone"]],
  ["pronouns", ["my pronouns"]],
  ["preference:seat", ["my seat preference"]],
  ["preference:diet", ["my diet", "my dietary preference", "my dietary preferences"]],
];
const forgetKeyByPhrase = new Map(
  forgetKeys.flatMap(([key, phrases]) => phrases.map((p) => [p, key] as const)),
);

const termStopWords = new Set(
  wordList(
    "i my me the a an about that mentioned said told tell you your what everything all is are was " +
      "were have has had of to in on for with and or just please thing things stuff know remember it " +
      "this i'm am we our said wrote talked earlier before again too also",
  ),
);

function termsOf(phrase: string): string[] {
  const words = phrase
    .toLowerCase()
    .split(/[^\p{L}\p{N}'-]+/u)
    .filter((w) => w.length >= 3 && !termStopWords.has(w));
  return [...new Set(words)].slice(0, 8);
}

/** A forget request in one clause, or null. "Forget it" / "forget about it" / "forget the refund" mean "never mind". */
function parseForget(clause: string, quote: string): ForgetRequest | null {
  const m = forgetLead.exec(clause.slice(0, clauseWindowChars));
  if (!m) return null;
  const verb = (m[1] ?? "").toLowerCase();
  const raw = clause
    .slice(m[0].length, clauseWindowChars)
    .replace(/[.!?]+$/u, "")
    .trim();
  let object = raw.toLowerCase();
  const destructive = ["delete", "erase", "remove", "wipe", "clear"].includes(verb);
  if (destructive && !aboutMemory.test(object)) return null;
  object = object
    .replace(/ (?:from (?:your )?(?:memory|memories|records|notes))$/u, "")
    .replace(/ (?:please|thanks|thank you|too|as well|again|now)$/u, "")
    .trim();
  if (lastThing.test(object)) return { what: "last", pattern: "forget.last", quote };
  if (/^that (?:i|my|we)\b/u.test(object)) {
    const said = raw.slice(5);
    const keys = [...new Set(readClause(capitalise(said)).map((f) => f.key))];
    if (keys.length === 1)
      return { what: "key", key: keys[0] as string, pattern: "forget.that-clause", quote };
    const terms = termsOf(said);
    return terms.length > 0 ? { what: "terms", terms, pattern: "forget.that-clause", quote } : null;
  }
  const stripped = object
    .replace(
      /^(?:everything (?:you know )?about |what you (?:know|remember) about |all about |everything i (?:told you|said|mentioned) about |what i (?:told you|said|mentioned) about |about )/u,
      "",
    )
    .trim();
  const key = forgetKeyByPhrase.get(stripped);
  if (key) return { what: "key", key, pattern: "forget.key", quote };
  if (/^(?:my |where i |what i |how i )/u.test(stripped)) {
    const terms = termsOf(stripped);
    return terms.length > 0 ? { what: "terms", terms, pattern: "forget.terms", quote } : null;
  }
  return null;
}

/** The documented forget phrases (docs/memory-patterns.md). */
export const forgetPhrases: readonly {
  id: string;
  what: ForgetRequest["what"];
  examples: readonly string[];
}[] = [
  {
    id: "forget.last",
    what: "last",
    examples: [
      "Forget that.",
      "Please forget what I just said.",
      "Remove that from your memory.",
      "Don't remember that.",
    ],
  },
  {
    id: "forget.key",
    what: "key",
    examples: [
      "Forget my name.",
      "Forget where I live.",
      "Could you forget my address?",
      "Forget about my kids.",
    ],
  },
  {
    id: "forget.that-clause",
    what: "key",
    examples: [
      "Forget that I live in Paris.",
      "Can you forget that I mentioned my divorce? (terms: divorce)",
    ],
  },
  {
    id: "forget.terms",
    what: "terms",
    examples: ["Please forget everything I told you about my health.", "Delete what you know about my trip."],
  },
];

// ---------------------------------------------------------------------------------------------------------------
// The end user's message

function isQuestionClause(clause: string, last: boolean, sentence: Sentence): boolean {
  if (requestForm.test(clause)) return false;
  if (interrogative.test(clause)) return true;
  return sentence.question && last;
}

const cap = (text: string, n: number): string =>
  text.length <= n ? text : `${text.slice(0, n - 1).trimEnd()}…`;

export function extractFromUserMessage(text: string): {
  memories: ExtractedMemory[];
  forget: ForgetRequest | null;
} {
  const sentences = splitSentences(prepare(text));
  let forget: ForgetRequest | null = null;
  const candidates: { memory: ExtractedMemory; correction: boolean; order: number }[] = [];
  let order = 0;
  sentences.forEach((sentence, s) => {
    const quote = cap(sentence.text, maxQuoteChars);
    const next = sentences[s + 1]?.text ?? "";
    const joking = sarcasm.test(sentence.text) || sarcasmOnly.test(next);
    const iffy = hypothetical.test(sentence.text.replace(politeIf, ""));
    const clauses = splitClauses(sentence.text);
    const lastClause = clauses[clauses.length - 1] ?? "";
    const tagged = sentence.question && clauses.length > 1 && tagQuestion.test(lastClause);
    clauses.forEach((clause, c) => {
      if (forget === null) {
        const f = parseForget(clause, quote);
        if (f) {
          forget = f;
          return;
        }
      }
      if (joking || iffy || tagged || /^["'(]/u.test(clause)) return;
      const previous = clauses[c - 1];
      if (
        previous !== undefined &&
        reportingEnd.test(previous) &&
        !ownReport.test(stripLeadIns(previous).text)
      )
        return;
      const { text: core, correction } = stripLeadIns(clause);
      if (core === "" || isQuestionClause(core, c === clauses.length - 1, sentence)) return;
      for (const f of readClause(core)) {
        candidates.push({
          memory: { ...f, text: cap(f.text, maxTextChars), quote },
          correction: correction || correctionLead.test(sentence.text),
          order: order++,
        });
      }
    });
  });
  // One memory per key: a correction wins, then the surer pattern, then the later statement.
  const best = new Map<string, (typeof candidates)[number]>();
  for (const cand of candidates) {
    const key = cand.memory.key ?? `#${cand.order}`;
    const held = best.get(key);
    const better =
      !held ||
      (cand.correction && !held.correction) ||
      (cand.correction === held.correction && cand.memory.confidence >= held.memory.confidence);
    if (better) best.set(key, cand);
  }
  const memories = [...best.values()].sort((a, b) => a.order - b.order).map((c) => c.memory);
  return { memories, forget };
}

// ---------------------------------------------------------------------------------------------------------------
// The agent's commitments

const commitmentSubject =
  /^(i|we|someone from our (?:[\p{L}-]+ )?team|somebody from our (?:[\p{L}-]+ )?team|a colleague|a specialist|an advisor|an adviser|one of (?:my|our) colleagues|our (?:[\p{L}-]+ )?(?:team|specialists?|advisors?|advisers?|staff|agents?|colleagues?)|a member of our (?:[\p{L}-]+ )?team)(?: will|'ll| shall| am going to|'m going to| are going to|'re going to| is going to| promise to| commit to)(?: also| personally| definitely| certainly| then| now| immediately| first)? /iu;

const commitmentVerbs = new Set(
  wordList(
    "send email e-mail mail post call phone ring text message contact reach get follow forward ship " +
      "deliver schedule book arrange process refund credit reverse transfer pay reimburse cancel update " +
      "notify inform let remind escalate confirm prepare review investigate fix resolve open file " +
      "submit raise issue return waive reset renew activate unblock close replace visit bring make keep " +
      "pass share check look be",
  ),
);
/** Verbs that promise something later only in these phrases ("check back", not "check the policy"). */
const verbNeeds: ReadonlyMap<string, RegExp> = new Map([
  ["check", /^check (?:back|in)\b/iu],
  ["look", /^look into\b/iu],
  ["be", /^be in (?:touch|contact)\b/iu],
  ["let", /^let you know\b/iu],
  ["make", /^make sure\b/iu],
  ["keep", /^keep you\b/iu],
  ["get", /^get (?:back|in touch|in contact|that|this|it|them|the|your|you)\b/iu],
]);
const timeExpression =
  /\b(?:today|tonight|tomorrow|this (?:morning|afternoon|evening|week|month)|next (?:week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|by (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|noon|the end of|end of|\d)|within (?:\d+|a|an|one|two|three|four|five|24|48|72)|in (?:\d+|a few|a couple of|one|two|three) (?:minutes?|hours?|days?|weeks?)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|as soon as|shortly|later today|soon)\b/iu;
const citationMarker = /\[(?:M?\d+)\]/u;

/**
 * The agent's own promises in its answer: first-person future actions towards the end user ("I'll call you back
 * tomorrow"), not offers ("I can…", "Shall I…?"), conditionals ("if you…, I'll…"), refusals ("I will not…"),
 * what it does in the answer itself ("I'll explain") or sentences carrying a citation (a quoted source speaking,
 * "We will send you a new card within 7 days [1]", is the document's promise, not the agent's).
 */
export function extractCommitments(answer: string): ExtractedMemory[] {
  const out: ExtractedMemory[] = [];
  for (const sentence of splitSentences(prepare(answer))) {
    if (
      sentence.question ||
      citationMarker.test(sentence.text) ||
      /\b(?:if|unless|whether|in case)\b/iu.test(sentence.text)
    )
      continue;
    const quote = cap(sentence.text, maxQuoteChars);
    const parts = sentence.text.split(/,? and (?=(?:i|we)(?:'ll| will) )/iu);
    for (let part of parts) {
      // "Sure, I'll…", "Thanks for waiting, we will…": a short opener before the promise.
      for (let n = 0; n < 2; n++) {
        const comma = part.indexOf(", ");
        if (comma < 0 || comma > 40 || part.slice(0, comma).split(" ").length > 4) break;
        if (commitmentSubject.test(part)) break;
        part = part.slice(comma + 2);
      }
      part = part.replace(
        /^(?:sure|okay|ok|of course|certainly|absolutely|great|no problem|alright)\b[ ,!.]*/iu,
        "",
      );
      const window = part.slice(0, clauseWindowChars);
      const m = commitmentSubject.exec(window);
      if (!m) continue;
      const action = cap(window.slice(m[0].length).replace(/[ .!,;:]+$/u, ""), 400);
      const verb = action.split(" ")[0]?.toLowerCase() ?? "";
      if (!commitmentVerbs.has(verb)) continue;
      const needs = verbNeeds.get(verb);
      if (needs && !needs.test(action)) continue;
      const who = (m[1] ?? "").toLowerCase();
      const promise = /promise to|commit to/iu.test(m[0]);
      const subject = who === "i" ? "I" : who;
      const pattern = promise
        ? "commitment.promise"
        : who === "i"
          ? "commitment.i-will"
          : who === "we"
            ? "commitment.we-will"
            : "commitment.team-will";
      out.push({
        kind: "commitment",
        key: null,
        value: action,
        text: cap(`I told you ${subject} would ${action}.`, maxTextChars),
        confidence: timeExpression.test(action) ? 0.85 : 0.7,
        pattern,
        quote,
      });
    }
  }
  return out.slice(0, 10);
}

const commitmentDocs: readonly MemoryPatternDoc[] = [
  {
    id: "commitment.i-will",
    kind: "commitment",
    key: null,
    description:
      "\"I will / I'll / I'm going to <follow-up verb> …\" in the answer (send, call, email, follow up, get back, " +
      "refund, remind, escalate…); 0.85 with a time (tomorrow, by Friday, within 48 hours), else 0.7",
    example: "I'll call you back tomorrow.",
    confidence: 0.85,
  },
  {
    id: "commitment.we-will",
    kind: "commitment",
    key: null,
    description: '"We will / we\'ll <follow-up verb> …" (the agent speaking for its organisation)',
    example: "We'll email you a confirmation once the transfer clears.",
    confidence: 0.85,
  },
  {
    id: "commitment.team-will",
    kind: "commitment",
    key: null,
    description: '"Our team / someone from our team / a colleague will <follow-up verb> …"',
    example: "Our team will contact you within 48 hours.",
    confidence: 0.85,
  },
  {
    id: "commitment.promise",
    kind: "commitment",
    key: null,
    description: '"I promise to / I commit to <follow-up verb> …"',
    example: "I promise to update you as soon as I hear back.",
    confidence: 0.85,
  },
];

/** The documented pattern set, in the order the rules try them. */
export const memoryPatterns: readonly MemoryPatternDoc[] = [
  ...rulePatterns.map(({ id, kind, key, description, example, confidence }) => ({
    id,
    kind,
    key,
    description,
    example,
    confidence,
  })),
  ...commitmentDocs,
];
