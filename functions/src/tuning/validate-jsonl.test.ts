/**
 * The fine-tuning format validator: a well-formed file passes; each malformed line fails with its own code on its
 * own line number; file-level limits (size, encoding, the 10-example minimum) are reported on line 0.
 */
import { describe, expect, it } from "vitest";
import { loadTokenCounter } from "./tokens.js";
import { maxReportedIssues, validateFineTuningJsonl } from "./validate-jsonl.js";

const example = (question: string, answer: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    messages: [
      { role: "system", content: "You answer HR questions for Acme." },
      { role: "user", content: question },
      { role: "assistant", content: answer },
    ],
    ...extra,
  });

const goodLines = Array.from({ length: 12 }, (_, i) =>
  example(`How many vacation days in year ${2020 + i}?`, `25 days in ${2020 + i}.`),
);
const file = (lines: readonly string[]) => `${lines.join("\n")}\n`;

describe("a well-formed file", () => {
  it("passes, with its examples counted", () => {
    const report = validateFineTuningJsonl(file(goodLines));
    expect(report).toEqual({
      valid: true,
      examples: 12,
      errors: [],
      warnings: [],
      errorCount: 0,
      warningCount: 0,
    });
  });

  it("takes bytes, CRLF line ends, multi-turn examples with weights, tool calls and tool messages", () => {
    const multi = JSON.stringify({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "What time is it in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "current_time", arguments: "{}" } },
          ],
          weight: 0,
        },
        { role: "tool", tool_call_id: "call_1", content: "2026-05-06T10:30:00+02:00" },
        { role: "assistant", content: "It is 10:30.", weight: 1 },
      ],
      tools: [{ type: "function", function: { name: "current_time", parameters: {} } }],
    });
    const text = [...goodLines.slice(0, 9), multi].join("\r\n");
    const report = validateFineTuningJsonl(Buffer.from(text, "utf8"));
    expect(report.errors).toEqual([]);
    expect(report.examples).toBe(10);
  });
});

describe("malformed lines, each reported on its line", () => {
  const bad: [string, string, string][] = [
    ["not JSON", "{messages: [", "invalid-json"],
    ["an array", "[1, 2]", "not-an-object"],
    ["no messages", JSON.stringify({ prompt: "q", completion: "a" }), "unknown-key"],
    ["empty messages", JSON.stringify({ messages: [] }), "missing-messages"],
    ["a message that is a string", JSON.stringify({ messages: ["hi"] }), "message-not-an-object"],
    [
      "an unknown role",
      JSON.stringify({
        messages: [
          { role: "human", content: "q" },
          { role: "assistant", content: "a" },
        ],
      }),
      "invalid-role",
    ],
    [
      "the deprecated function role",
      JSON.stringify({
        messages: [
          { role: "function", content: "q" },
          { role: "assistant", content: "a" },
        ],
      }),
      "invalid-role",
    ],
    [
      "content that is a number",
      JSON.stringify({
        messages: [
          { role: "user", content: 42 },
          { role: "assistant", content: "a" },
        ],
      }),
      "content-not-a-string",
    ],
    [
      "empty content",
      JSON.stringify({
        messages: [
          { role: "user", content: "  " },
          { role: "assistant", content: "a" },
        ],
      }),
      "empty-content",
    ],
    [
      "missing content",
      JSON.stringify({ messages: [{ role: "user" }, { role: "assistant", content: "a" }] }),
      "missing-content",
    ],
    [
      "an unknown message key",
      JSON.stringify({
        messages: [
          { role: "user", content: "q", mood: "happy" },
          { role: "assistant", content: "a" },
        ],
      }),
      "message-unknown-key",
    ],
    [
      "a weight on a user message",
      JSON.stringify({
        messages: [
          { role: "user", content: "q", weight: 1 },
          { role: "assistant", content: "a" },
        ],
      }),
      "message-unknown-key",
    ],
    [
      "a weight of 0.5",
      JSON.stringify({
        messages: [
          { role: "user", content: "q" },
          { role: "assistant", content: "a", weight: 0.5 },
        ],
      }),
      "invalid-weight",
    ],
    [
      "no assistant message",
      JSON.stringify({ messages: [{ role: "user", content: "q" }] }),
      "no-assistant-message",
    ],
    [
      "a user message last",
      JSON.stringify({
        messages: [
          { role: "user", content: "q" },
          { role: "assistant", content: "a" },
          { role: "user", content: "and?" },
        ],
      }),
      "last-not-assistant",
    ],
    [
      "every assistant message at weight 0",
      JSON.stringify({
        messages: [
          { role: "user", content: "q" },
          { role: "assistant", content: "a", weight: 0 },
        ],
      }),
      "nothing-to-train",
    ],
    [
      "a tool message without its call id",
      JSON.stringify({
        messages: [
          { role: "user", content: "q" },
          { role: "tool", content: "out" },
          { role: "assistant", content: "a" },
        ],
      }),
      "missing-tool-call-id",
    ],
    [
      "malformed tool calls",
      JSON.stringify({
        messages: [
          { role: "user", content: "q" },
          { role: "assistant", tool_calls: [{ id: "c", function: { name: "x" } }] },
          { role: "assistant", content: "a" },
        ],
      }),
      "invalid-tool-calls",
    ],
    [
      "image content parts",
      JSON.stringify({
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: "https://x.example/a.png" } }] },
          { role: "assistant", content: "a" },
        ],
      }),
      "content-not-a-string",
    ],
    ["a blank line", "   ", "blank-line"],
  ];

  it.each(bad)("%s", (_name, line, code) => {
    // The bad line goes in the middle of an otherwise good file: line 6.
    const lines = [...goodLines.slice(0, 5), line, ...goodLines.slice(5)];
    const report = validateFineTuningJsonl(file(lines));
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => [e.line, e.code])).toContainEqual([6, code]);
    expect(report.errors.every((e) => e.line === 6)).toBe(true);
  });

  it("reports several bad lines with their own numbers, and counts past the first 50", () => {
    const lines = [...goodLines];
    lines[2] = "not json";
    lines[9] = JSON.stringify({ messages: [{ role: "user", content: "q" }] });
    const report = validateFineTuningJsonl(file(lines));
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([
      [3, "invalid-json"],
      [10, "no-assistant-message"],
    ]);
    const many = validateFineTuningJsonl(file([...goodLines, ...Array.from({ length: 120 }, () => "{")]));
    expect(many.errors).toHaveLength(maxReportedIssues);
    expect(many.errorCount).toBe(120);
    expect(many.errors.at(-1)?.line).toBe(12 + maxReportedIssues);
  });
});

describe("file-level rules", () => {
  it("needs 10 examples in a training file (an error, or a warning when asked), none in a validation file", () => {
    const nine = file(goodLines.slice(0, 9));
    expect(validateFineTuningJsonl(nine).errors).toEqual([
      { line: 0, code: "too-few-examples", message: "9 examples: a training file needs at least 10" },
    ]);
    const warned = validateFineTuningJsonl(nine, { minExamplesSeverity: "warning" });
    expect(warned.valid).toBe(true);
    expect(warned.warnings.map((w) => w.code)).toEqual(["too-few-examples"]);
    expect(validateFineTuningJsonl(file(goodLines.slice(0, 1)), { purpose: "validation" }).valid).toBe(true);
    expect(validateFineTuningJsonl("", { purpose: "validation" })).toMatchObject({
      valid: true,
      examples: 0,
    });
    expect(validateFineTuningJsonl("").errors.map((e) => e.code)).toEqual(["empty-file"]);
  });

  it("refuses bytes that are not UTF-8, a byte-order mark, too many examples and overlong lines", () => {
    expect(
      validateFineTuningJsonl(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])).errors.map((e) => e.code),
    ).toEqual(["not-utf8"]);
    const bom = validateFineTuningJsonl(`\uFEFF${file(goodLines)}`);
    expect(bom.errors.map((e) => [e.line, e.code])).toEqual([[1, "byte-order-mark"]]);
    expect(validateFineTuningJsonl(file(goodLines), { maxExamples: 11 }).errors.map((e) => e.code)).toEqual([
      "too-many-examples",
    ]);
    const huge = example("q", "a".repeat(5 * 1024 * 1024));
    expect(validateFineTuningJsonl(file([...goodLines, huge])).errors.map((e) => [e.line, e.code])).toEqual([
      [13, "line-too-long"],
    ]);
  });

  it("warns of examples longer than a model trains on, duplicates and a system message out of place", async () => {
    const countTokens = await loadTokenCounter();
    const long = example("q", "word ".repeat(70_000));
    const dup = goodLines[0] as string;
    const late = JSON.stringify({
      messages: [
        { role: "user", content: "q" },
        { role: "system", content: "late" },
        { role: "assistant", content: "a" },
      ],
    });
    const report = validateFineTuningJsonl(file([...goodLines, long, dup, late]), { countTokens });
    expect(report.valid).toBe(true);
    expect(report.warnings.map((w) => [w.line, w.code])).toEqual([
      [13, "example-too-long"],
      [14, "duplicate-example"],
      [15, "system-not-first"],
    ]);
  });
});
