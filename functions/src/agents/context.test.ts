import { describe, expect, it } from "vitest";
import { AppError } from "../platform/errors.js";
import type { ChatMessage } from "../platform/ports.js";
import {
  buildContext,
  estimateMessageTokens,
  estimateTokens,
  summarizeTurns,
  type ContextInput,
  type HistoryMessage,
} from "./context.js";

/** Token counts of OpenAI's cl100k_base tokenizer for each text, measured once with tiktoken. */
const measured = [
  {
    kind: "English prose",
    cl100k: 47,
    text: "Employees accrue 25 days of paid annual leave per calendar year. Up to five unused days may be carried over into the first quarter of the following year; anything beyond that is forfeited unless your manager approves an exception in writing.",
  },
  {
    kind: "an English question",
    cl100k: 22,
    text: "How many days of annual leave do new employees get, and can I carry unused leave over to next year?",
  },
  {
    kind: "code",
    cl100k: 37,
    text: "export function refundDeadline(order: Order): Date {\n  const days = order.express ? 3 : 5;\n  return addWorkingDays(order.receivedAt, days);\n}",
  },
  { kind: "numbers", cl100k: 21, text: "Invoice 20240315 totals 1,250,000.75 EUR across 48 line items." },
  { kind: "Chinese", cl100k: 12, text: "退款将在五个工作日内支付。" },
  { kind: "Japanese", cl100k: 21, text: "新入社員の年次有給休暇は何日ですか？" },
];

describe("estimateTokens", () => {
  it.each(measured)("lands within 15% of cl100k for $kind", ({ text, cl100k }) => {
    const estimate = estimateTokens(text);
    expect(Math.abs(estimate - cl100k) / cl100k).toBeLessThanOrEqual(0.15);
  });

  it("counts nothing for an empty string and at least one token for any text", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens(" ")).toBe(1);
    expect(estimateTokens("a")).toBe(1);
  });

  it("counts digits in groups of three, as the tokenizer splits them", () => {
    expect(estimateTokens("123")).toBe(1);
    expect(estimateTokens("1234")).toBe(2);
    expect(estimateTokens("123456789")).toBe(3);
  });

  it("counts a CJK character as one token, even next to Latin letters", () => {
    expect(estimateTokens("退款将在五个工作日内支付")).toBe(12);
    expect(estimateTokens("VPN密码")).toBe(3);
  });

  it("grows with the text and gives the same answer every time", () => {
    const text = measured[0]?.text ?? "";
    const twice = estimateTokens(`${text} ${text}`);
    expect(twice).toBeGreaterThanOrEqual(2 * estimateTokens(text) - 1);
    expect(twice).toBeLessThanOrEqual(2 * estimateTokens(text) + 1);
    expect(estimateTokens(text)).toBe(estimateTokens(text));
  });

  it("counts long rare words and all-caps names as several tokens, common words as one", () => {
    expect(estimateTokens("leave")).toBe(1);
    expect(estimateTokens("employees")).toBe(1);
    expect(estimateTokens("ALCHEMIST_API_KEY")).toBeGreaterThanOrEqual(4);
    expect(estimateTokens("searchKnowledgeBases")).toBe(3);
  });
});

describe("estimateMessageTokens", () => {
  it("adds the per-message overhead to the content", () => {
    const content = "Can I carry unused days over to next year?";
    expect(estimateMessageTokens({ role: "user", content })).toBe(estimateTokens(content) + 4);
  });

  it("counts the tool calls an assistant message carries", () => {
    const call = {
      id: "call_1",
      name: "search_knowledge",
      arguments: '{"query":"carry-over of annual leave"}',
    };
    const plain = estimateMessageTokens({ role: "assistant", content: "" });
    const withCall = estimateMessageTokens({ role: "assistant", content: "", toolCalls: [call] });
    expect(withCall).toBe(plain + estimateTokens(call.name) + estimateTokens(call.arguments));
  });
});

const conversation: HistoryMessage[] = [
  {
    seq: 0,
    role: "user",
    content: "How many days of annual leave do new employees get? I start on 1 March.",
  },
  {
    seq: 1,
    role: "assistant",
    content:
      "New employees receive 25 days of paid annual leave per calendar year [1]. In the first year the allowance is pro-rated from the start date [2].",
  },
  { seq: 2, role: "user", content: "Can I carry unused days over to next year?" },
  {
    seq: 3,
    role: "assistant",
    content:
      "Up to five unused days can be carried over into the first quarter of the following year [1]. Anything beyond that is forfeited unless your manager approves an exception [3].",
  },
  { seq: 4, role: "user", content: "Who approves an exception?" },
  {
    seq: 5,
    role: "assistant",
    content: "Your line manager approves carry-over exceptions, and HR records them in the leave system [3].",
  },
  { seq: 6, role: "user", content: "What about sick leave during a holiday?" },
  {
    seq: 7,
    role: "assistant",
    content:
      "If you fall ill during annual leave, the sick days are not counted as holiday once you send a doctor's note within seven days [4]. HR then credits the days back to your allowance [4].",
  },
];

const lines = [
  "User asked: How many days of annual leave do new employees get?",
  "Agent answered: New employees receive 25 days of paid annual leave per calendar year.",
  "User asked: Can I carry unused days over to next year?",
  "Agent answered: Up to five unused days can be carried over into the first quarter of the following year.",
  "User asked: Who approves an exception?",
  "Agent answered: Your line manager approves carry-over exceptions, and HR records them in the leave system.",
  "User asked: What about sick leave during a holiday?",
  "Agent answered: If you fall ill during annual leave, the sick days are not counted as holiday once you send a doctor's note within seven days.",
];

/** A long conversation: the four exchanges above, again and again, with their own seq. */
const longConversation = (messages: number): HistoryMessage[] =>
  Array.from({ length: messages }, (_, seq) => ({ ...(conversation[seq % 8] as HistoryMessage), seq }));

describe("summarizeTurns", () => {
  it("keeps each question and the first sentence of each answer, without citation markers", () => {
    expect(summarizeTurns(conversation, 10_000)).toBe(lines.join("\n"));
  });

  it("returns nothing for no turns", () => {
    expect(summarizeTurns([], 1000)).toBe("");
  });

  it("cuts a long first sentence to about 30 words", () => {
    const rambling =
      "I wanted to ask whether the policy about carrying over unused annual leave also applies to people who joined in the middle of the year and who took parental leave before their probation period ended";
    const summary = summarizeTurns([{ role: "user", content: rambling }], 1000);
    expect(summary).toMatch(/^User asked: I wanted to ask whether .*…$/);
    expect(summary.replace("User asked: ", "").split(" ")).toHaveLength(30);
  });

  it("does not end a sentence inside a number or an abbreviation", () => {
    const summary = summarizeTurns(
      [
        {
          role: "assistant",
          content: "You get 2.5 extra days, e.g. for moving house [2]. Ask HR for the form.",
        },
      ],
      1000,
    );
    expect(summary).toBe("Agent answered: You get 2.5 extra days, e.g. for moving house.");
  });

  it("drops the oldest lines first when over budget and says how many it left out", () => {
    const turns = longConversation(40);
    const maxTokens = 120;
    const summary = summarizeTurns(turns, maxTokens);
    const kept = summary.split("\n");
    const omitted = /^\((\d+) earlier turns omitted\)$/.exec(kept[0] ?? "");
    expect(omitted).not.toBeNull();
    expect(Number(omitted?.[1]) + kept.length - 1).toBe(40);
    expect(kept.at(-1)).toBe(lines[7]);
    expect(kept.slice(1)).toEqual(
      summarizeTurns(turns, 10_000)
        .split("\n")
        .slice(-(kept.length - 1)),
    );
    expect(estimateTokens(summary)).toBeLessThanOrEqual(maxTokens);
  });

  it("returns nothing when not even the omission line fits", () => {
    expect(summarizeTurns(conversation, 3)).toBe("");
  });
});

const system =
  "You are the HR assistant of Acme GmbH. Answer only from the employee handbook and cite your sources.";
const question = "Does the same apply to contractors?";
const input = (overrides: Partial<ContextInput>): ContextInput => ({
  system,
  history: conversation,
  question,
  memoryWindow: 4,
  budgetTokens: 100_000,
  ...overrides,
});
const summaryOf = (messages: readonly ChatMessage[]): string | undefined =>
  messages.find((m) => m.role === "system" && m.content.startsWith("Summary of the earlier conversation:\n"))
    ?.content;
const contents = (messages: readonly ChatMessage[]): string[] => messages.map((m) => m.content);

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("buildContext", () => {
  it("sends the window verbatim after the instructions and a summary of the rest, then the question", () => {
    const context = buildContext(input({ memoryWindow: 4 }));
    expect(context.messages.map((m) => m.role)).toEqual([
      "system",
      "system",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
    ]);
    expect(context.messages[0]?.content).toBe(system);
    expect(context.messages[1]?.content).toBe(
      `Summary of the earlier conversation:\n${lines.slice(0, 4).join("\n")}`,
    );
    expect(contents(context.messages.slice(2, 6))).toEqual(contents(conversation.slice(4)));
    expect(context.messages.at(-1)).toEqual({ role: "user", content: question });
    expect(context).toMatchObject({ verbatim: 4, summarized: 4, droppedForBudget: 0, summaryThroughSeq: 4 });
    expect(context.summaryText).toBe(lines.slice(0, 4).join("\n"));
    expect(context.estimatedTokens).toBe(context.messages.reduce((n, m) => n + estimateMessageTokens(m), 0));
  });

  it("with a window of 0 summarizes the whole history", () => {
    const context = buildContext(input({ memoryWindow: 0 }));
    expect(context.messages).toHaveLength(3);
    expect(summaryOf(context.messages)).toBe(`Summary of the earlier conversation:\n${lines.join("\n")}`);
    expect(context).toMatchObject({ verbatim: 0, summarized: 8, summaryThroughSeq: 8 });
  });

  it("with a window larger than the history sends it all verbatim and no summary", () => {
    const context = buildContext(input({ memoryWindow: 50 }));
    expect(contents(context.messages)).toEqual([system, ...contents(conversation), question]);
    expect(context).toMatchObject({ verbatim: 8, summarized: 0, summaryText: "", summaryThroughSeq: null });
  });

  it("sends only the instructions and the question on the first turn", () => {
    const context = buildContext(input({ history: [] }));
    expect(contents(context.messages)).toEqual([system, question]);
  });

  it("reuses the stored summary when it covers exactly the messages before the window", () => {
    const stored = { text: "(12 earlier turns omitted)\nUser asked: Where is the handbook?", throughSeq: 4 };
    const context = buildContext(input({ memoryWindow: 4, summary: stored }));
    expect(context.summaryText).toBe(stored.text);
    expect(context).toMatchObject({ verbatim: 4, summarized: 4, summaryThroughSeq: 4 });
  });

  it("extends the stored summary with the messages that left the window since", () => {
    const stored = { text: "(12 earlier turns omitted)\nUser asked: Where is the handbook?", throughSeq: 2 };
    const context = buildContext(input({ history: conversation.slice(2), memoryWindow: 4, summary: stored }));
    expect(context.summaryText).toBe([...stored.text.split("\n"), lines[2], lines[3]].join("\n"));
    expect(context).toMatchObject({ verbatim: 4, summarized: 4, summaryThroughSeq: 4 });
  });

  it("recomputes the summary when the stored one reaches into the window", () => {
    const stored = { text: "User asked: Where is the handbook?", throughSeq: 6 };
    const context = buildContext(input({ memoryWindow: 4, summary: stored }));
    expect(context.summaryText).toBe(lines.slice(0, 4).join("\n"));
  });

  it("counts the messages before the history at hand as omitted when there is no summary of them", () => {
    const context = buildContext(input({ history: conversation.slice(4), memoryWindow: 2 }));
    expect(context.summaryText).toBe(["(4 earlier turns omitted)", lines[4], lines[5]].join("\n"));
    expect(context.summarized).toBe(2);
  });

  it("drops the oldest verbatim exchanges into the summary when the window does not fit the budget", () => {
    const full = buildContext(input({ memoryWindow: 8 }));
    const reservedTokens = 300;
    const budgetTokens = full.estimatedTokens + reservedTokens - 1;
    const context = buildContext(input({ memoryWindow: 8, budgetTokens, reservedTokens }));
    expect(context.droppedForBudget).toBeGreaterThan(0);
    expect(context.droppedForBudget % 2).toBe(0);
    expect(context.verbatim + context.droppedForBudget).toBe(8);
    const kept = context.messages.filter((m) => m.role !== "system").slice(0, -1);
    expect(contents(kept)).toEqual(contents(conversation.slice(8 - context.verbatim)));
    expect(context.summaryText.split("\n")).toEqual(lines.slice(0, context.droppedForBudget));
    expect(context.messages[0]?.content).toBe(system);
    expect(context.messages.at(-1)?.content).toBe(question);
    expect(context.estimatedTokens + reservedTokens).toBeLessThanOrEqual(budgetTokens);
  });

  it("shrinks the summary, oldest lines first, once no verbatim message is left to drop", () => {
    const fixed = buildContext(input({ history: [] })).estimatedTokens;
    const budgetTokens = fixed + 80;
    const context = buildContext(input({ history: longConversation(40), memoryWindow: 0, budgetTokens }));
    const summary = context.summaryText.split("\n");
    expect(summary[0]).toMatch(/^\(\d+ earlier turns omitted\)$/);
    expect(summary.at(-1)).toBe(lines[7]);
    expect(context.estimatedTokens).toBeLessThanOrEqual(budgetTokens);
  });

  it("keeps recent messages verbatim rather than letting a long summary crowd them out", () => {
    const history = longConversation(200);
    const window = buildContext(input({ history: history.slice(-4), memoryWindow: 4 })).estimatedTokens;
    const budgetTokens = window + 400;
    const context = buildContext(input({ history, memoryWindow: 4, budgetTokens }));
    expect(context.droppedForBudget).toBe(0);
    expect(context.summaryText).toMatch(/^\(\d+ earlier turns omitted\)\n/);
    expect(context.summarized).toBe(196);
    expect(context.estimatedTokens).toBeLessThanOrEqual(budgetTokens);
  });

  it("stays within every budget, keeps a recent suffix and never splits a question from its answer", () => {
    const history = longConversation(24);
    const fixed = buildContext(input({ history: [] })).estimatedTokens;
    const full = buildContext(input({ history, memoryWindow: 10 })).estimatedTokens;
    for (let budgetTokens = fixed; budgetTokens <= full + 20; budgetTokens += 3) {
      const context = buildContext(input({ history, memoryWindow: 10, budgetTokens, reservedTokens: 0 }));
      expect(context.estimatedTokens).toBeLessThanOrEqual(budgetTokens);
      expect(context.messages[0]?.content).toBe(system);
      expect(context.messages.at(-1)?.content).toBe(question);
      expect(context.verbatim + context.droppedForBudget).toBe(10);
      const verbatim = context.messages.slice(-1 - context.verbatim, -1);
      expect(contents(verbatim)).toEqual(contents(history.slice(history.length - context.verbatim)));
      expect(verbatim[0]?.role ?? "user").toBe("user");
    }
  });

  it("refuses a message that cannot fit the model's context with the instructions", () => {
    const fixed = buildContext(input({ history: [] })).estimatedTokens;
    const error = thrown(() => buildContext(input({ budgetTokens: fixed - 1 })));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid-argument");
    expect((error as AppError).message).toMatch(/too long for the model's context/);
    expect(contents(buildContext(input({ budgetTokens: fixed })).messages)).toEqual([system, question]);
  });

  it("refuses a message that leaves no room for the passages and the answer", () => {
    const fixed = buildContext(input({ history: [] })).estimatedTokens;
    const error = thrown(() => buildContext(input({ budgetTokens: fixed + 999, reservedTokens: 1000 })));
    expect((error as AppError).code).toBe("invalid-argument");
    expect((error as AppError).message).toMatch(/kept for retrieved passages and the answer/);
  });
});
