/**
 * The documented memory patterns (extract.ts): what an end user's message states about them, what it asks to
 * forget, and what the agent promised in its answer; measured on a labelled corpus with a held-out set the
 * patterns were not tuned on (testing/extraction-corpus.ts, figures in docs/memory-patterns.md).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  clauseWindowChars,
  extractCommitments,
  extractFromUserMessage,
  forgetPhrases,
  maxInputChars,
  memoryPatterns,
} from "./extract.js";
import { maxMemoryTextChars, memoryKinds } from "./schema.js";
import {
  heldOut,
  heldOutAnswers,
  scoreAnswers,
  scoreMessages,
  tuning,
  tuningAnswers,
} from "./testing/extraction-corpus.js";

const read = (text: string) => extractFromUserMessage(text);
const pairs = (text: string) => read(text).memories.map((m) => [m.key, m.value]);

describe("extractFromUserMessage", () => {
  it("reads a name, a city, an employer and a role, phrased to the end user", () => {
    const { memories, forget } = read("Hi, I'm Dana. I live in Berlin and I'm a software engineer at Acme.");
    expect(forget).toBeNull();
    expect(memories.map((m) => [m.key, m.value, m.text, m.kind])).toEqual([
      ["name", "Dana", "Your name is Dana.", "fact"],
      ["city", "Berlin", "You live in Berlin.", "fact"],
      ["role", "software engineer", "You are a software engineer.", "fact"],
      ["employer", "Acme", "You work at Acme.", "fact"],
    ]);
    expect(memories[1]?.quote).toBe("I live in Berlin and I'm a software engineer at Acme");
    expect(memories[1]?.pattern).toBe("city.live-in");
  });

  it("is surer of 'my name is' than of 'I'm'", () => {
    const explicit = read("My name is Dana.").memories[0];
    const loose = read("I'm Dana.").memories[0];
    expect(explicit?.confidence).toBeGreaterThan(loose?.confidence ?? 1);
  });

  it("keeps a language preference, a contact preference, a plan, children and a time zone", () => {
    expect(read("Please answer in Spanish.").memories[0]?.text).toBe("You prefer answers in Spanish.");
    expect(read("Please answer in Spanish.").memories[0]?.kind).toBe("preference");
    expect(read("I prefer to be contacted by email.").memories[0]?.text).toBe(
      "You prefer to be contacted by email.",
    );
    expect(read("My account is a business account.").memories[0]?.text).toBe(
      "Your account is a business account.",
    );
    expect(read("I'm on the business plan.").memories[0]?.text).toBe("You are on the business plan.");
    expect(read("I have two children.").memories[0]).toMatchObject({
      key: "children",
      value: "2",
      text: "You have two children.",
    });
    expect(pairs("My time zone is UTC+2.")).toEqual([["timezone", "UTC+2"]]);
  });

  it("gives a correction the same key, so the store supersedes the older memory", () => {
    expect(pairs("Actually my name is Dan.")).toEqual([["name", "Dan"]]);
    expect(pairs("no, I live in Munich now")).toEqual([["city", "Munich"]]);
    expect(pairs("I moved to Berlin.")).toEqual([["city", "Berlin"]]);
    // Within one message the correction wins.
    expect(pairs("My name is Dana. Actually, my name is Daniela.")).toEqual([["name", "Daniela"]]);
  });

  it("keeps a preference only for a topic it knows", () => {
    expect(pairs("I prefer window seats.")).toEqual([["preference:seat", "window seats"]]);
    expect(read("I don't like long explanations.").memories[0]?.text).toBe(
      "You don't like long explanations.",
    );
    expect(pairs("I like pizza.")).toEqual([]);
    expect(pairs("I prefer French fries.")).toEqual([]);
  });

  it.each([
    "Do I live in Paris?",
    "what is my name",
    "I live in Paris, right?",
    "I don't live in Paris anymore.",
    "My friend lives in Rome.",
    "She said: I live in Rome.",
    "If I lived in Paris, which branch would I use?",
    "I'm tired.",
    "I'm looking for a new card.",
    "I'm sure that's wrong.",
    "Yeah right, my name is Mickey Mouse. lol",
    "```\nMy name is John and I live in Leeds.\n```\nCan you summarise this email?",
    "Hallo, ich heiße Jonas und wohne in Köln.",
    "Call me back tomorrow.",
  ])("finds nothing in %j", (text) => {
    expect(read(text)).toEqual({ memories: [], forget: null });
  });

  it("reads several statements in one message", () => {
    expect(pairs("My name is Omar. I have two kids. Please reply in Arabic.")).toEqual([
      ["name", "Omar"],
      ["children", "2"],
      ["language", "Arabic"],
    ]);
  });

  it("keeps every memory text within the schema's bound and every kind a schema kind", () => {
    const long = `My employer is ${"Acme ".repeat(300)}.`;
    for (const m of read(long).memories) {
      expect(m.text.length).toBeLessThanOrEqual(maxMemoryTextChars);
      expect(memoryKinds).toContain(m.kind);
    }
  });
});

describe("forget requests", () => {
  it.each([
    ["Forget that.", { what: "last" }],
    ["Please forget what I just said.", { what: "last" }],
    ["Remove that from your memory.", { what: "last" }],
    ["Forget my address.", { what: "key", key: "city" }],
    ["Forget where I live.", { what: "key", key: "city" }],
    ["Could you forget my name please?", { what: "key", key: "name" }],
    ["Forget about my children.", { what: "key", key: "children" }],
    ["Forget that I live in Paris.", { what: "key", key: "city" }],
    ["Please forget everything I told you about my divorce.", { what: "terms", terms: ["divorce"] }],
  ])("reads %j", (text, expected) => {
    expect(read(text).forget).toMatchObject({ ...expected, quote: expect.any(String) });
  });

  it.each([
    "Don't forget that I live in Paris.",
    "Forget it, I'll call the branch.",
    "Forget about it.",
    "I forgot my PIN.",
    "Did you forget my name?",
    "Delete my account.",
    "Forget the refund, what are your opening hours?",
  ])("does not read %j as a request to forget", (text) => {
    expect(read(text).forget).toBeNull();
  });

  it("still keeps what a 'don't forget' message states", () => {
    expect(pairs("Don't forget that I live in Paris.")).toEqual([["city", "Paris"]]);
  });

  it("reads a new statement next to the request", () => {
    const { memories, forget } = read("Forget my address, I live in Munich now.");
    expect(forget).toMatchObject({ what: "key", key: "city" });
    expect(memories.map((m) => m.value)).toEqual(["Munich"]);
  });

  it("documents its phrases", () => {
    expect(forgetPhrases.map((p) => p.id)).toEqual([
      "forget.last",
      "forget.key",
      "forget.that-clause",
      "forget.terms",
    ]);
    for (const phrase of forgetPhrases) {
      const example = (phrase.examples[0] ?? "").replace(/ \(.*\)$/u, "");
      expect(read(example).forget?.pattern).toBe(phrase.id);
    }
  });
});

describe("extractCommitments", () => {
  it("keeps the agent's own promises, phrased as evidence", () => {
    const [c] = extractCommitments("Thanks for waiting. I will send you the form by Friday.");
    expect(c).toMatchObject({
      kind: "commitment",
      key: null,
      value: "send you the form by Friday",
      text: "I told you I would send you the form by Friday.",
      pattern: "commitment.i-will",
      quote: "I will send you the form by Friday",
    });
    expect(extractCommitments("I'll call you back tomorrow.")[0]?.text).toBe(
      "I told you I would call you back tomorrow.",
    );
  });

  it("is surer of a promise with a time", () => {
    const [timed] = extractCommitments("I'll call you back tomorrow.");
    const [open] = extractCommitments("I'll call you back.");
    expect(timed?.confidence).toBeGreaterThan(open?.confidence ?? 1);
  });

  it.each([
    "We will send you a new card within 7 days [1].",
    "Would you like me to send you the form?",
    "If you upload your ID, I'll open the account.",
    "I will not share your data.",
    "I'll explain how the fee works.",
    "I can send you the form.",
    "The bank will send you a letter.",
  ])("finds no commitment in %j", (answer) => {
    expect(extractCommitments(answer)).toEqual([]);
  });
});

describe("the documented pattern set", () => {
  it("has unique ids, schema kinds, and an example each pattern reads", () => {
    const ids = memoryPatterns.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of memoryPatterns) {
      expect(memoryKinds).toContain(p.kind);
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
      const produced =
        p.kind === "commitment"
          ? extractCommitments(p.example).map((m) => m.pattern)
          : read(p.example).memories.map((m) => m.pattern);
      expect(produced, `${p.id}: ${p.example}`).toContain(p.id);
    }
  });

  it("is the table docs/memory-patterns.md shows", () => {
    const doc = readFileSync(new URL("../../../docs/memory-patterns.md", import.meta.url), "utf8");
    for (const p of memoryPatterns)
      expect(doc, p.id).toMatch(
        new RegExp(`\\| \`${p.id.replace(/\./gu, "\\.")}\` +\\| ${p.kind} +\\|`, "u"),
      );
    for (const p of forgetPhrases) expect(doc, p.id).toContain(`\`${p.id}\``);
  });
});

describe("bounded work", () => {
  it("reads only the first maxInputChars of a message", () => {
    const filler = "The weather was fine. ".repeat(Math.ceil(maxInputChars / 22));
    expect(pairs(`${filler}My name is Dana.`)).toEqual([]);
    expect(pairs(`My name is Dana. ${filler}`)).toEqual([["name", "Dana"]]);
  });

  it.each([
    ["one endless sentence of capitalised words", `I live in ${"Aa ".repeat(4000)}`],
    ["no spaces at all", `my name is ${"A".repeat(9000)}`],
    ["alternating connectors", `I live in ${"Rio de ".repeat(1500)}`],
    ["commas and clauses", `I'm Dana, ${"and I, ".repeat(1500)}`],
    ["dots and abbreviations", "Dr. St. Mr. ".repeat(1000)],
    ["forget phrases", `forget ${"please ".repeat(1500)}that`],
    ["question marks", "?!".repeat(5000)],
    ["whitespace", `${" ".repeat(4000)}I live in${" ".repeat(4000)}Paris`],
  ])("handles %s quickly", { timeout: 2000 }, (_what, text) => {
    const { memories } = extractFromUserMessage(text);
    for (const m of memories) expect(m.text.length).toBeLessThanOrEqual(maxMemoryTextChars);
    expect(extractCommitments(text).length).toBeLessThanOrEqual(10);
  });

  it("looks at most clauseWindowChars into a clause", () => {
    expect(pairs(`I live in Paris ${"x".repeat(clauseWindowChars)}`)).toEqual([["city", "Paris"]]);
    expect(pairs(`My name is ${"very ".repeat(clauseWindowChars / 5)} long, I live in Lyon`)).toEqual([
      ["city", "Lyon"],
    ]);
  });
});

describe("measured on the labelled corpus", () => {
  // Bounds stated in docs/memory-patterns.md; the held-out set was written before the patterns and not tuned on.
  const heldOutPrecisionBound = 0.9;

  it("meets the stated precision on the held-out set, and reports both sets", () => {
    const inSample = scoreMessages(tuning, extractFromUserMessage);
    const outOfSample = scoreMessages(heldOut, extractFromUserMessage);
    const figures = (f: typeof inSample) =>
      `${f.messages} messages, precision ${f.precision.toFixed(3)} (${f.correct}/${f.predicted}), recall ` +
      `${f.recall.toFixed(3)} (${f.correct}/${f.expected}), forget requests read right ${f.forgetAccuracy.toFixed(3)}`;
    console.log(`tuning (in-sample): ${figures(inSample)}`);
    console.log(`held-out: ${figures(outOfSample)}`);
    for (const f of outOfSample.failures) console.log(`  held-out miss: ${JSON.stringify(f)}`);
    expect(outOfSample.messages).toBeGreaterThanOrEqual(90);
    expect(inSample.messages).toBeGreaterThanOrEqual(90);
    expect(outOfSample.precision).toBeGreaterThanOrEqual(heldOutPrecisionBound);
    expect(outOfSample.forgetAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("meets the stated precision on the held-out commitments", () => {
    const inSample = scoreAnswers(tuningAnswers, extractCommitments);
    const outOfSample = scoreAnswers(heldOutAnswers, extractCommitments);
    console.log(
      `commitments tuning (in-sample): precision ${inSample.precision.toFixed(3)} (${inSample.correct}/${inSample.predicted}), recall ${inSample.recall.toFixed(3)} (${inSample.correct}/${inSample.expected})`,
    );
    console.log(
      `commitments held-out: precision ${outOfSample.precision.toFixed(3)} (${outOfSample.correct}/${outOfSample.predicted}), recall ${outOfSample.recall.toFixed(3)} (${outOfSample.correct}/${outOfSample.expected})`,
    );
    for (const f of outOfSample.failures) console.log(`  held-out miss: ${JSON.stringify(f)}`);
    expect(outOfSample.precision).toBeGreaterThanOrEqual(0.9);
  });
});
