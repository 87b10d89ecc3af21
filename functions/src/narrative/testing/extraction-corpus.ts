/**
 * Labelled end-user messages (and agent answers) for measuring the documented memory patterns (extract.ts).
 *
 * `heldOut` was written first, before any pattern existed, and the patterns were never tuned on it: a held-out
 * failure is left failing and counted. `tuning` was written afterwards and is what the patterns were developed
 * against, so its figures are in-sample. The same person wrote the patterns and both sets, so even the held-out
 * figures are optimistic: they measure phrasings one author thought of, not real traffic.
 *
 * Labels follow the documented policy (docs/memory-patterns.md), not what the code happens to do: a message a
 * person would read as a statement about themselves is labelled with it even when no pattern covers it (a miss
 * lowers recall), and everything else is labelled with nothing (a hit lowers precision).
 * Values are compared after lower-casing, dropping a leading "the" and trailing punctuation; children counts are
 * digits.
 */

export interface ExpectedMemory {
  readonly key: string;
  readonly value: string;
}

export interface ExpectedForget {
  readonly what: "last" | "key" | "terms";
  readonly key?: string;
  /** For `terms`: one of these must be among the request's terms. */
  readonly terms?: readonly string[];
}

export interface LabelledMessage {
  readonly text: string;
  readonly memories: readonly ExpectedMemory[];
  /** Absent: the message is not a forget request. */
  readonly forget?: ExpectedForget;
}

export interface LabelledAnswer {
  readonly text: string;
  /** A phrase each expected commitment's value contains, in order; [] when the answer commits to nothing. */
  readonly commitments: readonly string[];
}

const m = (key: string, value: string): ExpectedMemory => ({ key, value });

const longSupportMessage =
  "Hello, I've been a customer for about six years and I have never had a problem like this before. Last " +
  "Tuesday I tried to pay my electricity bill through the app and the payment failed three times, each time " +
  "with a different error message, and then yesterday I noticed that the amount had been taken from my account " +
  "twice anyway. I called the hotline and waited for forty minutes before the call dropped. I am not someone " +
  "who complains easily, but this has been really stressful because rent is due next week. Anyway, I live in " +
  "Bristol, in case that matters for which branch handles this. My sister had something similar happen with " +
  "her bank last year and it took them a month to refund her, which I really hope is not the case here. Could " +
  "you tell me what the status of the duplicate payment is and when I can expect the money back? I have the " +
  "transaction references if you need them, and I can send screenshots of the errors from the app as well.";

/** Written before the patterns; never used to tune them. */
export const heldOut: readonly LabelledMessage[] = [
  // Statements about the end user.
  { text: "Hi there! My name is Priya and I'd like to check my balance.", memories: [m("name", "Priya")] },
  { text: "Hello, I'm Marcus. Can you help me with a transfer?", memories: [m("name", "Marcus")] },
  { text: "you can call me Jo", memories: [m("name", "Jo")] },
  { text: "My name's Tobias Keller.", memories: [m("name", "Tobias Keller")] },
  {
    text: "I live in Amsterdam and work for Philips.",
    memories: [m("city", "Amsterdam"), m("employer", "Philips")],
  },
  { text: "We moved to Vienna last spring.", memories: [m("city", "Vienna")] },
  { text: "I recently moved to Porto, so my address changed.", memories: [m("city", "Porto")] },
  { text: "I'm based in Toronto.", memories: [m("city", "Toronto")] },
  { text: "Please reply in Italian from now on.", memories: [m("language", "Italian")] },
  { text: "Could you answer in Portuguese, please?", memories: [m("language", "Portuguese")] },
  { text: "I prefer to communicate in Dutch.", memories: [m("language", "Dutch")] },
  { text: "I'd rather be contacted by email than by phone.", memories: [m("contact", "email")] },
  { text: "Please contact me via WhatsApp.", memories: [m("contact", "WhatsApp")] },
  { text: "Text me instead, I can't take calls at work.", memories: [m("contact", "SMS")] },
  { text: "I'm on the premium plan.", memories: [m("plan", "premium")] },
  { text: "My account is a joint account.", memories: [m("plan", "joint")] },
  { text: "We have three kids.", memories: [m("children", "3")] },
  { text: "I have one daughter.", memories: [m("children", "1")] },
  { text: "My time zone is CET.", memories: [m("timezone", "CET")] },
  { text: "I'm in the Pacific time zone.", memories: [m("timezone", "Pacific")] },
  { text: "My pronouns are they/them.", memories: [m("pronouns", "they/them")] },
  {
    text: "I work as a nurse at St. Mary's Hospital.",
    memories: [m("role", "nurse"), m("employer", "St. Mary's Hospital")],
  },
  { text: "I'm a data analyst at Zalando.", memories: [m("role", "data analyst"), m("employer", "Zalando")] },
  { text: "Actually, my name is Katarina, not Katrin.", memories: [m("name", "Katarina")] },
  { text: "No, I live in Munich now.", memories: [m("city", "Munich")] },
  { text: "Correction: I work at Siemens, not Bosch.", memories: [m("employer", "Siemens")] },
  { text: "I prefer short answers.", memories: [m("preference:answer-length", "short answers")] },
  { text: "I like window seats.", memories: [m("preference:seat", "window seats")] },
  {
    text: "I don't like long explanations.",
    memories: [m("preference:answer-length", "not long explanations")],
  },
  { text: "Just so you know, I'm vegetarian.", memories: [m("preference:diet", "vegetarian")] },
  { text: "Please don't forget that I prefer email.", memories: [m("contact", "email")] },
  { text: "Remember that I live in Leeds.", memories: [m("city", "Leeds")] },
  { text: "I'm employed by the City of Berlin.", memories: [m("employer", "City of Berlin")] },
  { text: "Hey, this is Ahmed from the finance team.", memories: [m("name", "Ahmed")] },
  {
    text: "I'm Sofia, I live in Madrid and I prefer Spanish.",
    memories: [m("name", "Sofia"), m("city", "Madrid"), m("language", "Spanish")],
  },
  { text: "I have a business account with you.", memories: [m("plan", "business")] },
  { text: "I upgraded to the Pro plan yesterday.", memories: [m("plan", "Pro")] },
  { text: "I go by Sam.", memories: [m("name", "Sam")] },
  { text: "My first language is Polish.", memories: [m("native-language", "Polish")] },
  { text: "I only speak English.", memories: [m("language", "English")] },
  { text: "Reach me on my mobile.", memories: [m("contact", "phone")] },
  { text: "We've got two little boys.", memories: [m("children", "2")] },
  {
    text: "I work for Deutsche Bahn as a train driver.",
    memories: [m("employer", "Deutsche Bahn"), m("role", "train driver")],
  },
  { text: "I live in Rio de Janeiro.", memories: [m("city", "Rio de Janeiro")] },
  { text: "I'm a teacher.", memories: [m("role", "teacher")] },
  { text: "Just moved to Edinburgh!", memories: [m("city", "Edinburgh")] },
  { text: "Name's Ruth.", memories: [m("name", "Ruth")] },
  { text: "I'm Liam btw", memories: [m("name", "Liam")] },
  { text: longSupportMessage, memories: [m("city", "Bristol")] },
  // Hard negatives: questions, negations, other people, idioms, hypotheticals, sarcasm, other languages.
  { text: "What is my name?", memories: [] },
  { text: "Do you know where I live?", memories: [] },
  { text: "Do I live in Paris according to your records?", memories: [] },
  { text: "I don't live in Paris anymore.", memories: [] },
  { text: "My sister lives in Rome.", memories: [] },
  { text: "My boss's name is Richard.", memories: [] },
  { text: "I'm sure that's wrong.", memories: [] },
  { text: "I'm looking for the branch opening hours.", memories: [] },
  { text: "I'm not happy with the fees.", memories: [] },
  { text: "If I moved to Spain, would my card still work?", memories: [] },
  { text: "Je m'appelle Claire et j'habite à Lyon.", memories: [] },
  { text: "Ich wohne in Hamburg und arbeite bei Airbus.", memories: [] },
  { text: "Me llamo Lucía y vivo en Sevilla.", memories: [] },
  { text: "Oh sure, and my name is Queen Elizabeth lol", memories: [] },
  { text: "I'm Interested in opening a savings account.", memories: [] },
  { text: "Can you call me tomorrow?", memories: [] },
  { text: "Call me back when you have a minute.", memories: [] },
  { text: "I'm thinking about moving to Berlin.", memories: [] },
  { text: "My friend works at Google.", memories: [] },
  { text: "He said he prefers French.", memories: [] },
  { text: "I'd like to close my account.", memories: [] },
  { text: "Forget it, I'll call the branch.", memories: [] },
  { text: "I forgot my PIN.", memories: [] },
  { text: "I'm Canadian, does that matter for taxes?", memories: [] },
  { text: "I have a question about my mortgage.", memories: [] },
  { text: "Is my account a business account?", memories: [] },
  { text: "I have two questions.", memories: [] },
  { text: "I work from home most days.", memories: [] },
  { text: "My daughter lives in Oslo.", memories: [] },
  { text: "I'm calling about a charge on my card.", memories: [] },
  { text: "I prefer not to say.", memories: [] },
  { text: "Imagine I lived in Tokyo, what would the fees be?", memories: [] },
  { text: "I wish my name were Aurora.", memories: [] },
  { text: "I'm Dana's assistant.", memories: [] },
  { text: "Did you forget my name?", memories: [] },
  { text: "Never forget your customers.", memories: [] },
  { text: "我叫王伟，住在上海。", memories: [] },
  { text: "I hate when the app crashes.", memories: [] },
  { text: "I like your service.", memories: [] },
  { text: "My wife prefers email.", memories: [] },
  { text: "I'm from Acme's IT department.", memories: [] },
  { text: "I'm Batman.", memories: [] },
  { text: "I live in hope that this gets fixed.", memories: [] },
  { text: "Ik woon in Utrecht.", memories: [] },
  // Forget requests (and what is not one).
  { text: "Please forget what I just said.", memories: [], forget: { what: "last" } },
  { text: "Forget where I work.", memories: [], forget: { what: "key", key: "employer" } },
  { text: "Don't forget that I have two children.", memories: [m("children", "2")] },
  { text: "Could you forget my address please?", memories: [], forget: { what: "key", key: "city" } },
  {
    text: "Forget about my kids, it's not relevant.",
    memories: [],
    forget: { what: "key", key: "children" },
  },
  {
    text: "Can you forget that I mentioned my divorce?",
    memories: [],
    forget: { what: "terms", terms: ["divorce"] },
  },
  {
    text: "Please delete what you know about where I live.",
    memories: [],
    forget: { what: "key", key: "city" },
  },
];

/** Written after `heldOut`; the patterns were developed against these (in-sample). */
export const tuning: readonly LabelledMessage[] = [
  { text: "My name is Dana.", memories: [m("name", "Dana")] },
  { text: "I'm Dana.", memories: [m("name", "Dana")] },
  { text: "Call me Dana, please.", memories: [m("name", "Dana")] },
  { text: "Hello! I am Henrik Larsen from Oslo.", memories: [m("name", "Henrik Larsen")] },
  { text: "my name is dana and i need help", memories: [m("name", "Dana")] },
  { text: "Please call me Dr. Okafor.", memories: [m("name", "Dr. Okafor")] },
  { text: "Actually my name is Dan.", memories: [m("name", "Dan")] },
  { text: "This is Mei speaking.", memories: [m("name", "Mei")] },
  { text: "I live in Paris.", memories: [m("city", "Paris")] },
  { text: "I live in New York City with my partner.", memories: [m("city", "New York City")] },
  { text: "I moved to Berlin.", memories: [m("city", "Berlin")] },
  { text: "I've just moved to Frankfurt am Main.", memories: [m("city", "Frankfurt am Main")] },
  { text: "I'm based in Lyon.", memories: [m("city", "Lyon")] },
  { text: "no, I live in Munich now", memories: [m("city", "Munich")] },
  { text: "My husband and I live in Ghent.", memories: [m("city", "Ghent")] },
  { text: "I live in the Netherlands.", memories: [m("city", "Netherlands")] },
  { text: "I'm located in San Diego.", memories: [m("city", "San Diego")] },
  { text: "I work at Acme.", memories: [m("employer", "Acme")] },
  { text: "I work for the Bank of England.", memories: [m("employer", "Bank of England")] },
  { text: "My employer is Globex Corporation.", memories: [m("employer", "Globex Corporation")] },
  {
    text: "I'm a software engineer at Spotify.",
    memories: [m("role", "software engineer"), m("employer", "Spotify")],
  },
  { text: "I work as an accountant.", memories: [m("role", "accountant")] },
  { text: "My job title is product manager.", memories: [m("role", "product manager")] },
  { text: "I'm a student.", memories: [m("role", "student")] },
  { text: "I prefer French.", memories: [m("language", "French")] },
  { text: "please answer in Spanish", memories: [m("language", "Spanish")] },
  { text: "Reply in German.", memories: [m("language", "German")] },
  { text: "Can you respond in Japanese?", memories: [m("language", "Japanese")] },
  { text: "I'd like answers in Greek.", memories: [m("language", "Greek")] },
  { text: "I speak German, but please answer in English.", memories: [m("language", "English")] },
  { text: "My native language is Turkish.", memories: [m("native-language", "Turkish")] },
  { text: "I prefer email.", memories: [m("contact", "email")] },
  { text: "Please contact me by phone.", memories: [m("contact", "phone")] },
  { text: "Email is best for me.", memories: [m("contact", "email")] },
  { text: "The best way to reach me is by text message.", memories: [m("contact", "SMS")] },
  { text: "I prefer to be contacted by post.", memories: [m("contact", "post")] },
  { text: "My account is a business account.", memories: [m("plan", "business")] },
  { text: "I'm on the business plan.", memories: [m("plan", "business")] },
  { text: "I switched to the family plan last month.", memories: [m("plan", "family")] },
  { text: "I'm a premium member.", memories: [m("plan", "premium")] },
  { text: "My account type is personal.", memories: [m("plan", "personal")] },
  { text: "I have two children.", memories: [m("children", "2")] },
  { text: "I've got 3 kids.", memories: [m("children", "3")] },
  { text: "I have no children.", memories: [m("children", "0")] },
  { text: "I'm a mother of four.", memories: [m("children", "4")] },
  { text: "I have a son.", memories: [m("children", "1")] },
  { text: "My timezone is UTC+2.", memories: [m("timezone", "UTC+2")] },
  { text: "I'm on Eastern time.", memories: [m("timezone", "Eastern")] },
  { text: "My time zone is Europe/Berlin.", memories: [m("timezone", "Europe/Berlin")] },
  { text: "My pronouns are she/her.", memories: [m("pronouns", "she/her")] },
  { text: "I use he/him pronouns.", memories: [m("pronouns", "he/him")] },
  { text: "I prefer aisle seats.", memories: [m("preference:seat", "aisle seats")] },
  { text: "I like detailed answers.", memories: [m("preference:answer-length", "detailed answers")] },
  { text: "Please keep your answers short.", memories: [m("preference:answer-length", "short answers")] },
  {
    text: "I prefer morning appointments.",
    memories: [m("preference:appointment-time", "morning appointments")],
  },
  { text: "I prefer paper statements.", memories: [m("preference:statements", "paper statements")] },
  { text: "I'm vegan.", memories: [m("preference:diet", "vegan")] },
  { text: "I prefer a formal tone.", memories: [m("preference:tone", "formal tone")] },
  {
    text: "Hi, I'm Dana, I live in Berlin and I work at Acme.",
    memories: [m("name", "Dana"), m("city", "Berlin"), m("employer", "Acme")],
  },
  {
    text: "My name is Omar. I have two kids. Please reply in Arabic.",
    memories: [m("name", "Omar"), m("children", "2"), m("language", "Arabic")],
  },
  { text: "My name is Dana, what's yours?", memories: [m("name", "Dana")] },
  { text: "FYI I'm on Pacific time.", memories: [m("timezone", "Pacific")] },
  { text: "Don't call me, email me instead.", memories: [m("contact", "email")] },
  // Hard negatives.
  { text: "I'm tired.", memories: [] },
  { text: "I'm looking for a new credit card.", memories: [] },
  { text: "Where do I live?", memories: [] },
  { text: "Do I live in Paris?", memories: [] },
  { text: "what is my name", memories: [] },
  { text: "I live in Paris, right?", memories: [] },
  { text: "My friend lives in Rome.", memories: [] },
  { text: "My brother's name is Tom.", memories: [] },
  { text: "She said: I live in Rome.", memories: [] },
  { text: "If I lived in Paris, which branch would I use?", memories: [] },
  { text: "I used to live in Paris.", memories: [] },
  { text: "I'm moving to Berlin next year.", memories: [] },
  { text: "I'm not Dana.", memories: [] },
  { text: "I'm English, but I live abroad.", memories: [] },
  { text: "I'm Sorry for the confusion.", memories: [] },
  { text: "Call me on Monday.", memories: [] },
  { text: "Call me at 5pm.", memories: [] },
  { text: "I prefer French fries.", memories: [] },
  { text: "I like pizza.", memories: [] },
  { text: "Yeah right, my name is Mickey Mouse. lol", memories: [] },
  { text: "I work for a small bank.", memories: [] },
  { text: "I have a bank account with another bank.", memories: [] },
  { text: "I have two cards.", memories: [] },
  { text: "I'm in a meeting, can you text me later?", memories: [] },
  { text: "Please email me the form.", memories: [] },
  { text: "Can you translate this into French?", memories: [] },
  { text: "Hallo, ich heiße Jonas und wohne in Köln.", memories: [] },
  { text: "Bonjour, je préfère le français.", memories: [] },
  { text: "```\nMy name is John and I live in Leeds.\n```\nCan you summarise this email?", memories: [] },
  { text: "> I live in Paris\nWhat did I mean by that?", memories: [] },
  { text: "I'm happy with the service.", memories: [] },
  { text: "I'm Ready to proceed.", memories: [] },
  { text: "My colleague works at Acme and lives in Paris.", memories: [] },
  { text: "Forget about it.", memories: [] },
  { text: "I'll never forget this.", memories: [] },
  // Forget requests.
  { text: "Forget that.", memories: [], forget: { what: "last" } },
  { text: "please forget what I told you", memories: [], forget: { what: "last" } },
  { text: "Forget my name.", memories: [], forget: { what: "key", key: "name" } },
  { text: "Forget where I live.", memories: [], forget: { what: "key", key: "city" } },
  { text: "Forget about my children.", memories: [], forget: { what: "key", key: "children" } },
  { text: "Forget that I live in Paris.", memories: [], forget: { what: "key", key: "city" } },
  {
    text: "Please forget everything I told you about my health.",
    memories: [],
    forget: { what: "terms", terms: ["health"] },
  },
  { text: "Remove that from your memory.", memories: [], forget: { what: "last" } },
  { text: "Delete my account.", memories: [] },
  { text: "Forget the refund, what are your opening hours?", memories: [] },
  {
    text: "Forget my address, I live in Munich now.",
    memories: [m("city", "Munich")],
    forget: { what: "key", key: "city" },
  },
];

/** Agent answers: the agent's own commitments. Written before the commitment patterns. */
export const heldOutAnswers: readonly LabelledAnswer[] = [
  {
    text: "Thanks for your patience. I will send you the replacement card by Friday.",
    commitments: ["send you the replacement card by Friday"],
  },
  {
    text: "I'll call you back tomorrow morning to confirm.",
    commitments: ["call you back tomorrow morning"],
  },
  { text: "Our team will contact you within 48 hours.", commitments: ["contact you within 48 hours"] },
  {
    text: "We'll email you a confirmation once the transfer clears.",
    commitments: ["email you a confirmation"],
  },
  { text: "I can explain how the fees work.", commitments: [] },
  { text: "I'll explain: the fee is 2% of the amount [1].", commitments: [] },
  { text: "We will send you a new card within 7 days [1].", commitments: [] },
  { text: "Would you like me to send you the form?", commitments: [] },
  { text: "If you upload your ID, I'll open the account.", commitments: [] },
  { text: "I will not share your data with anyone.", commitments: [] },
  {
    text: "Sure, I'll follow up with the claims department and let you know by Monday.",
    commitments: ["follow up with the claims department"],
  },
  {
    text: "I promise to update you as soon as I hear back.",
    commitments: ["update you as soon as I hear back"],
  },
  {
    text: "I'm going to escalate this to a supervisor today.",
    commitments: ["escalate this to a supervisor today"],
  },
  { text: "The bank will send you a letter.", commitments: [] },
  { text: "I'll be happy to help with that.", commitments: [] },
  { text: "I'll remind you next week about the payment.", commitments: ["remind you next week"] },
];

export const tuningAnswers: readonly LabelledAnswer[] = [
  {
    text: "I will send you the form by Friday.",
    commitments: ["send you the form by Friday"],
  },
  { text: "I'll call you back tomorrow.", commitments: ["call you back tomorrow"] },
  {
    text: "Of course. We will refund the fee within five business days.",
    commitments: ["refund the fee within five business days"],
  },
  {
    text: "Someone from our team will reach out to you this afternoon.",
    commitments: ["reach out to you this afternoon"],
  },
  {
    text: "I'll get back to you with the details, and I'll also email you the receipt.",
    commitments: ["get back to you with the details", "email you the receipt"],
  },
  { text: "The fee is 2% [1]. I'll explain the exceptions below.", commitments: [] },
  { text: "Shall I send you the form?", commitments: [] },
  { text: "I can't send documents by email.", commitments: [] },
  { text: "Unless the payment fails, we'll ship it on Monday.", commitments: [] },
  { text: "I'll try to find that for you.", commitments: [] },
  { text: "Our branch will be closed on Monday [2].", commitments: [] },
  {
    text: "I will make sure the charge is reversed by Thursday.",
    commitments: ["charge is reversed by Thursday"],
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Scoring

const normalizeValue = (v: string): string =>
  v
    .toLowerCase()
    .replace(/^the /u, "")
    .replace(/[.!?,;:]+$/u, "")
    .replace(/\s+/gu, " ")
    .trim();

export interface Extracted {
  readonly key: string | null;
  readonly value: string;
}

export interface Figures {
  readonly messages: number;
  readonly expected: number;
  readonly predicted: number;
  readonly correct: number;
  /** correct / predicted (1 when nothing was predicted). */
  readonly precision: number;
  /** correct / expected (1 when nothing was expected). */
  readonly recall: number;
  /** Forget requests: messages whose request (or its absence) was read right, out of all messages. */
  readonly forgetAccuracy: number;
  readonly failures: readonly { text: string; missed: string[]; wrong: string[]; forget?: string }[];
}

type ForgetLike = { what: string; key?: string; terms?: readonly string[] } | null;

function forgetMatches(expected: ExpectedForget | undefined, got: ForgetLike): boolean {
  if (!expected) return got === null;
  if (!got || got.what !== expected.what) return false;
  if (expected.what === "key") return got.key === expected.key;
  if (expected.what === "terms") return (expected.terms ?? []).some((t) => (got.terms ?? []).includes(t));
  return true;
}

/** Precision and recall of (key, value) pairs over a labelled set, and how many forget requests were read right. */
export function scoreMessages(
  set: readonly LabelledMessage[],
  extract: (text: string) => { memories: readonly Extracted[]; forget: ForgetLike },
): Figures {
  let expected = 0;
  let predicted = 0;
  let correct = 0;
  let forgetRight = 0;
  const failures: Figures["failures"][number][] = [];
  for (const item of set) {
    const got = extract(item.text);
    const want = item.memories.map((e) => `${e.key}=${normalizeValue(e.value)}`);
    const have = got.memories.map((g) => `${g.key ?? "-"}=${normalizeValue(g.value)}`);
    const hits = have.filter((h) => want.includes(h));
    expected += want.length;
    predicted += have.length;
    correct += hits.length;
    const forgetOk = forgetMatches(item.forget, got.forget);
    if (forgetOk) forgetRight++;
    const missed = want.filter((w) => !have.includes(w));
    const wrong = have.filter((h) => !want.includes(h));
    if (missed.length > 0 || wrong.length > 0 || !forgetOk) {
      failures.push({
        text: item.text.slice(0, 120),
        missed,
        wrong,
        ...(forgetOk ? {} : { forget: JSON.stringify(got.forget) }),
      });
    }
  }
  return {
    messages: set.length,
    expected,
    predicted,
    correct,
    precision: predicted === 0 ? 1 : correct / predicted,
    recall: expected === 0 ? 1 : correct / expected,
    forgetAccuracy: set.length === 0 ? 1 : forgetRight / set.length,
    failures,
  };
}

/** Commitments: a predicted one is right when its value contains the next expected phrase of its answer. */
export function scoreAnswers(
  set: readonly LabelledAnswer[],
  extract: (text: string) => readonly { value: string }[],
): Omit<Figures, "forgetAccuracy" | "messages"> & { answers: number } {
  let expected = 0;
  let predicted = 0;
  let correct = 0;
  const failures: Figures["failures"][number][] = [];
  for (const item of set) {
    const got = extract(item.text).map((g) => g.value.toLowerCase());
    const want = item.commitments.map((c) => c.toLowerCase());
    const matched = got.filter((g, i) => want[i] !== undefined && g.includes(want[i] as string));
    expected += want.length;
    predicted += got.length;
    correct += matched.length;
    if (matched.length !== want.length || got.length !== want.length) {
      failures.push({
        text: item.text,
        missed: want.filter((w, i) => !(got[i] ?? "").includes(w)),
        wrong: got.filter((g, i) => want[i] === undefined || !g.includes(want[i] as string)),
      });
    }
  }
  return {
    answers: set.length,
    expected,
    predicted,
    correct,
    precision: predicted === 0 ? 1 : correct / predicted,
    recall: expected === 0 ? 1 : correct / expected,
    failures,
  };
}
