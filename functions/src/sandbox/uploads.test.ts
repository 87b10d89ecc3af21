/**
 * CSV (RFC 4180) and JSONL uploads of eval items: what parses, and every way a file can be wrong, reported
 * with its line and field, with no items at all from a file that has any problem.
 */
import { describe, expect, it } from "vitest";
import { evalLimits } from "./schema.js";
import { parseCsv, parseUpload, Problems } from "./uploads.js";

const csv = (...lines: string[]) => lines.join("\r\n");

describe("CSV records", () => {
  it("reads quoted fields holding commas, doubled quotes and line breaks, with CRLF or LF endings", () => {
    const records = parseCsv('a,"b, c","say ""hi"""\r\n"multi\r\nline",x,\ny,"",z\n');
    expect(records).toEqual([
      { line: 1, fields: ["a", "b, c", 'say "hi"'] },
      { line: 2, fields: ["multi\nline", "x", ""] },
      { line: 4, fields: ["y", "", "z"] },
    ]);
  });

  it("skips empty lines and reports a quote inside an unquoted field, going on at the next line", () => {
    const problems = new Problems();
    const records = parseCsv('a,b\n\nbad "quote",x\nc,d\n', problems);
    expect(records.map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(problems.list).toEqual([
      {
        line: 3,
        field: null,
        message: 'a double quote inside an unquoted field: quote the whole field and double the quote ("")',
      },
    ]);
  });

  it("reports text after a closing quote, and a quoted field never closed", () => {
    const after = new Problems();
    parseCsv('"ok"x,y\n', after);
    expect(after.list[0]?.message).toMatch(/text after a closing quote/);
    const open = new Problems();
    const records = parseCsv('a,b\n"never closed,\nmore\n', open);
    expect(records).toHaveLength(1);
    expect(open.list).toEqual([
      { line: 2, field: null, message: "a quoted field opened on this line is never closed" },
    ]);
  });
});

describe("CSV uploads", () => {
  it("turn each record into an item, lists split on '|', in any column order", async () => {
    const parsed = await parseUpload(
      "csv",
      "\uFEFF" +
        csv(
          "tags,Question,expected_facts,reference_answer,expected_sources,should_abstain",
          'hr|leave,"How many vacation days, in total?",25 days | carried over,,handbook.md,no',
          "policy,Who is the CEO?,,,,yes",
          'finance,How do I claim expenses?,,"Submit claims within 30 days",,',
        ),
    );
    expect(parsed.errorCount).toBe(0);
    expect(parsed.items).toEqual([
      {
        question: "How many vacation days, in total?",
        expectedFacts: ["25 days", "carried over"],
        referenceAnswer: null,
        expectedSources: ["handbook.md"],
        shouldAbstain: false,
        tags: ["hr", "leave"],
      },
      {
        question: "Who is the CEO?",
        expectedFacts: [],
        referenceAnswer: null,
        expectedSources: [],
        shouldAbstain: true,
        tags: ["policy"],
      },
      {
        question: "How do I claim expenses?",
        expectedFacts: [],
        referenceAnswer: "Submit claims within 30 days",
        expectedSources: [],
        shouldAbstain: false,
        tags: ["finance"],
      },
    ]);
  });

  it("name every problem's line and column, and give no items from a file that has one", async () => {
    const parsed = await parseUpload(
      "csv",
      csv(
        "question,expected_facts,should_abstain",
        "Fine question?,fact,no",
        "No criterion at all?,,no",
        ",fact,no",
        "Wrong flag?,fact,maybe",
        "Too few fields?",
        `${"x".repeat(evalLimits.questionChars + 1)},fact,`,
        `Too many facts?,${Array.from({ length: 21 }, (_, i) => `f${i}`).join("|")},`,
      ),
    );
    expect(parsed.items).toEqual([]);
    expect(parsed.errors).toEqual([
      {
        line: 3,
        field: "expected_facts",
        message: "give expectedFacts, a referenceAnswer or shouldAbstain: true, so the answer can be scored",
      },
      { line: 4, field: "question", message: "question must not be empty" },
      { line: 5, field: "should_abstain", message: '"maybe" is not true or false (or yes/no, 1/0)' },
      { line: 6, field: null, message: "1 field(s), but the header names 3 column(s)" },
      { line: 7, field: "question", message: "question is at most 8,000 characters" },
      { line: 8, field: "expected_facts", message: "expectedFacts holds at most 20 entries" },
    ]);
    expect(parsed.errorCount).toBe(6);
  });

  it("refuse a header with an unknown, repeated or missing column", async () => {
    expect((await parseUpload("csv", "question,answer\nq,a")).errors).toEqual([
      {
        line: 1,
        field: "answer",
        message:
          'unknown column "answer": the columns are question, expected_facts, reference_answer, expected_sources, should_abstain, tags',
      },
    ]);
    expect((await parseUpload("csv", "question,tags,tags\nq,a,b")).errors[0]?.message).toBe(
      "the column tags appears twice",
    );
    expect((await parseUpload("csv", "tags\nx")).errors[0]).toMatchObject({ field: "question" });
    expect((await parseUpload("csv", "")).errors).toEqual([
      { line: 1, field: null, message: "the file holds no items" },
    ]);
    expect((await parseUpload("csv", "question,should_abstain\n")).errorCount).toBe(1);
  });

  it("report bad quoting with its line, and nothing else from that record", async () => {
    const parsed = await parseUpload(
      "csv",
      csv("question,should_abstain", 'Is "this" fine?,yes', '"Fine?",yes'),
    );
    expect(parsed.items).toEqual([]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatchObject({ line: 2, field: null });
  });

  it("count every problem of a 10,000-line file but list only the first hundred", async () => {
    const lines = ["question,should_abstain"];
    for (let i = 0; i < 10_000; i++) lines.push(`Question ${i}?,perhaps`);
    const parsed = await parseUpload("csv", lines.join("\n"));
    expect(parsed.errorCount).toBe(10_000);
    expect(parsed.errors).toHaveLength(evalLimits.uploadErrors);
    expect(parsed.errors.at(-1)?.line).toBe(101);
    expect(parsed.items).toEqual([]);
  });
});

describe("JSONL uploads", () => {
  it("take one item per line, as the API does, with the CSV names as aliases", async () => {
    const parsed = await parseUpload(
      "jsonl",
      [
        JSON.stringify({ question: "How many days?", expectedFacts: ["25"], tags: ["hr"] }),
        "",
        JSON.stringify({ turns: ["Hi", "And contractors?"], reference_answer: "Contractors get none" }),
        "   ",
        JSON.stringify({ question: "CEO?", should_abstain: true }) + "\r",
      ].join("\n"),
    );
    expect(parsed.errorCount).toBe(0);
    expect(parsed.items).toEqual([
      {
        question: "How many days?",
        expectedFacts: ["25"],
        referenceAnswer: null,
        expectedSources: [],
        shouldAbstain: false,
        tags: ["hr"],
      },
      {
        turns: ["Hi", "And contractors?"],
        expectedFacts: [],
        referenceAnswer: "Contractors get none",
        expectedSources: [],
        shouldAbstain: false,
        tags: [],
      },
      {
        question: "CEO?",
        expectedFacts: [],
        referenceAnswer: null,
        expectedSources: [],
        shouldAbstain: true,
        tags: [],
      },
    ]);
  });

  it("name the line and field of malformed JSON, wrong types, unknown and doubled fields", async () => {
    const parsed = await parseUpload(
      "jsonl",
      [
        '{"question": "ok?", "expectedFacts": ["x"]}',
        '{"question": "broken"',
        "[1, 2]",
        '{"question": 42, "expectedFacts": ["x"]}',
        '{"question": "q", "expectedFacts": "not a list"}',
        '{"question": "q", "shouldAbstain": "yes"}',
        '{"question": "q", "expectedFacts": ["x"], "answer": "y"}',
        '{"question": "q", "expectedFacts": ["x"], "expected_facts": ["y"]}',
        '{"question": "q", "turns": ["a"], "expectedFacts": ["x"]}',
        '{"turns": [], "expectedFacts": ["x"]}',
      ].join("\n"),
    );
    expect(parsed.items).toEqual([]);
    const byLine = parsed.errors.map((e) => [e.line, e.field, e.message]);
    expect(byLine[0]).toEqual([2, null, expect.stringMatching(/^not valid JSON/)]);
    expect(byLine).toContainEqual([3, null, "each line must be one JSON object (an item)"]);
    expect(byLine).toContainEqual([4, "question", "question must be text"]);
    expect(byLine).toContainEqual([5, "expectedFacts", "expectedFacts must be a list of texts"]);
    expect(byLine).toContainEqual([6, "shouldAbstain", "shouldAbstain must be true or false"]);
    expect(byLine).toContainEqual([7, "answer", 'unknown field "answer"']);
    expect(byLine).toContainEqual([
      8,
      "expectedFacts",
      "expectedFacts is given twice (as expected_facts and expectedFacts); give it once",
    ]);
    expect(byLine).toContainEqual([
      9,
      "question",
      "give either a question or turns (a multi-turn script), not both and not neither",
    ]);
    expect(byLine).toContainEqual([10, "turns", "turns must hold at least one message"]);
  });
});
