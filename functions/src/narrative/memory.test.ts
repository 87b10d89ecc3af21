/**
 * The pure parts of long-term memory: recall's choice and order, what a turn's new memories supersede, the
 * history a forget request takes along, the scope's cap, and the contradiction rules (coherence.ts).
 */
import { describe, expect, it } from "vitest";
import { tokenize } from "../platform/text/analyzer.js";
import { claimsOf, correctionNote, findContradictions } from "./coherence.js";
import {
  maxLearnedPerTurn,
  overCap,
  planMemories,
  recallFrom,
  withHistory,
  type MemoryRecord,
  type NarrativeState,
  type NewMemory,
  type StatementRecord,
} from "./memory.js";
import { maxMemoriesPerScope } from "./schema.js";

const now = new Date("2026-12-05T12:00:00.000Z");
let seq = 0;

function memory(text: string, extra: Partial<MemoryRecord> = {}): MemoryRecord {
  seq += 1;
  return {
    id: extra.id ?? `m${seq}`,
    endUserKey: "k",
    endUserRef: "u",
    scopeKey: "agent:a",
    agentId: "a",
    kind: "fact",
    key: null,
    value: text,
    text,
    confidence: 0.9,
    method: "rules",
    pattern: "p",
    source: null,
    status: "active",
    supersedes: null,
    supersededBy: null,
    supersededAt: null,
    createdAt: new Date(now.getTime() - 86_400_000 + seq * 1000).toISOString(),
    updatedAt: now.toISOString(),
    expiresAt: null,
    editedBy: null,
    embeddingModel: null,
    embedding: null,
    ...extra,
  };
}

function stateOf(memories: MemoryRecord[], statements: StatementRecord[] = []): NarrativeState {
  const terms = new Map(
    memories.map((m) => [m.id, new Set(tokenize(`${m.text} ${m.value} ${m.key ?? ""}`))] as const),
  );
  return { rev: 1, memories, statements, terms };
}

const learned = (text: string, key: string | null, value = text): NewMemory => ({
  kind: "fact",
  key,
  value,
  text,
  confidence: 0.9,
  method: "rules",
  pattern: "p",
  source: null,
});

describe("recall", () => {
  it("picks the memories that share the question's words, best first, numbered M1..", () => {
    const state = stateOf([
      memory("You live in Berlin.", { key: "city" }),
      memory("You have two children."),
      memory("Your employer is Acme."),
    ]);
    const recalled = recallFrom(state, "Where do I live these days?", null, "m@1", now, 365);
    expect(recalled.map((r) => [r.ref, r.memory.text])).toEqual([["M1", "You live in Berlin."]]);
    expect(recalled[0]?.vectorScore).toBeNull();
  });

  it("never recalls superseded, expired or retention-aged memories", () => {
    const state = stateOf([
      memory("You live in Paris.", { key: "city", status: "superseded" }),
      memory("You live in Rome.", { key: "city", expiresAt: "2026-12-01T00:00:00.000Z" }),
      memory("You live in Oslo.", { key: "city", createdAt: "2025-01-01T00:00:00.000Z" }),
    ]);
    expect(recallFrom(state, "Where do I live?", null, "m@1", now, 365)).toEqual([]);
  });

  it("brings preferences along whatever the question, after the relevant memories", () => {
    const state = stateOf([
      memory("You prefer answers in French.", { kind: "preference", key: "language" }),
      memory("Your laptop runs Linux."),
    ]);
    const recalled = recallFrom(state, "Which system does my laptop run?", null, "m@1", now, 365);
    expect(recalled.map((r) => r.memory.text)).toEqual([
      "Your laptop runs Linux.",
      "You prefer answers in French.",
    ]);
  });

  it("blends vector similarity in only for memories embedded by the same model", () => {
    const state = stateOf([
      memory("Your dog is called Rex.", { embedding: [1, 0], embeddingModel: "m@1" }),
      memory("Your dog sleeps a lot.", { embedding: [0, 1], embeddingModel: "m@0" }),
    ]);
    const [first, second] = recallFrom(state, "What is my dog called?", [1, 0], "m@1", now, 365);
    expect(first?.memory.text).toBe("Your dog is called Rex.");
    expect(first?.vectorScore).toBe(1);
    expect(second?.vectorScore).toBeNull();
  });
});

describe("learning", () => {
  it("supersedes the active memory of the same key and ignores a repeat of its value", () => {
    const paris = memory("You live in Paris.", { key: "city", value: "Paris" });
    const state = stateOf([paris]);
    const planned = planMemories(
      state,
      [learned("You live in Berlin.", "city", "Berlin"), learned("You live in paris.", "city", "PARIS")],
      () => "new",
    );
    // One memory per key per turn: the message's last statement of it wins, and it repeats the current value.
    expect(planned).toEqual([]);
    const moved = planMemories(state, [learned("You live in Berlin.", "city", "Berlin")], () => "new");
    expect(moved.map((p) => [p.id, p.supersedes?.id])).toEqual([["new", paris.id]]);
  });

  it(`learns at most ${maxLearnedPerTurn} memories from one message`, () => {
    let n = 0;
    const planned = planMemories(
      stateOf([]),
      Array.from({ length: 40 }, (_, i) => learned(`You like color ${i}.`, null)),
      () => `id${n++}`,
    );
    expect(planned).toHaveLength(maxLearnedPerTurn);
  });

  it("forgets a memory with the versions it superseded, never the ones that replaced it", () => {
    const a = memory("You live in Paris.", { id: "a", status: "superseded", supersededBy: "b" });
    const b = memory("You live in Rome.", {
      id: "b",
      status: "superseded",
      supersedes: "a",
      supersededBy: "c",
    });
    const c = memory("You live in Oslo.", { id: "c", supersedes: "b" });
    const other = memory("Your name is Dana.", { id: "d" });
    expect(withHistory(stateOf([a, b, c, other]), ["c"]).sort()).toEqual(["a", "b", "c"]);
    expect(withHistory(stateOf([a, b, c, other]), ["b"]).sort()).toEqual(["a", "b"]);
  });

  it("keeps the scope within its cap, dropping the oldest history first", () => {
    const memories = Array.from({ length: maxMemoriesPerScope }, (_, i) =>
      memory(`Fact ${i}.`, { id: `f${i}`, status: i % 2 === 0 ? "superseded" : "active" }),
    );
    const state = stateOf(memories);
    expect(overCap(state, 3, [])).toEqual(["f0", "f2", "f4"]);
    expect(overCap(state, 3, ["f10", "f11", "f12"])).toEqual([]);
    expect(overCap(stateOf(memories.slice(0, 10)), 3, [])).toEqual([]);
  });
});

describe("contradictions with earlier answers", () => {
  const statement = (claim: string, extra: Partial<StatementRecord> = {}): StatementRecord => ({
    id: extra.id ?? claim,
    endUserKey: "k",
    endUserRef: "u",
    scopeKey: "agent:a",
    agentId: "a",
    agentVersion: 1,
    conversationId: "c1",
    traceId: "t1",
    claim,
    sources: [{ kbId: "kb", docId: "d", docName: "handbook.md", quote: claim }],
    createdAt: "2026-12-03T10:00:00.000Z",
    expiresAt: "2027-12-03T10:00:00.000Z",
    contradictedBy: null,
    ...extra,
  });
  const claim = (text: string) => ({
    claim: text,
    sources: [{ kbId: "kb", docId: "d", docName: "handbook.md", quote: text }],
  });

  it("finds another number, the opposite, or another bound on the same subject", () => {
    const earlier = [
      statement("Full-time employees receive 25 vacation days per calendar year."),
      statement("Contractors are entitled to paid vacation days."),
      statement("Employees may carry over at most 5 unused vacation days into the next year."),
    ];
    const found = findContradictions(
      [
        claim("Full-time employees receive 20 vacation days per calendar year."),
        claim("Contractors are not entitled to paid vacation days."),
        claim("Employees may carry over at least 5 unused vacation days into the next year."),
      ],
      earlier,
    );
    expect(found.map((c) => c.earlier.id)).toEqual(earlier.map((s) => s.id));
    expect(correctionNote(found.slice(0, 1))).toBe(
      'Correction: on 2026-12-03 I told you "Full-time employees receive 25 vacation days per calendar year". ' +
        'That is no longer right: the current version of "handbook.md" says "Full-time employees receive 20 ' +
        'vacation days per calendar year", and this answer follows it.',
    );
  });

  it("never sets two sentences of one answer against each other", () => {
    const total = "Full-time employees receive 25 vacation days per calendar year.";
    const accrual = "Vacation days accrue monthly, at 2.08 days per month for full-time employees.";
    const earlier = [statement(total), statement(accrual)];
    expect(findContradictions([claim(total), claim(accrual)], earlier)).toEqual([]);
    const changed = findContradictions([claim(total.replace("25", "20")), claim(accrual)], earlier);
    expect(changed.map((c) => c.earlier.claim)).toEqual([total]);
  });

  it("leaves alone the same claim, other subjects, and statements already corrected", () => {
    const earlier = [
      statement("Full-time employees receive 25 vacation days per calendar year."),
      statement("Expense claims are due within 30 days.", { contradictedBy: "flag-1" }),
    ];
    expect(
      findContradictions(
        [
          claim("Full-time employees receive 25 vacation days per calendar year."),
          claim("Parking permits cost 40 euros a month."),
          claim("Expense claims are due within 60 days."),
        ],
        earlier,
      ),
    ).toEqual([]);
  });

  it("keeps only the knowledge's claims of an answer, not a memory's or a tool's", () => {
    const base = {
      chunkId: "c",
      quote: "q",
      location: { startOffset: 0, endOffset: 1, headingPath: [] },
      score: 1,
    };
    expect(
      claimsOf([
        { ...base, ref: "1", kbId: "kb", docId: "d", docName: "handbook.md", claim: "A claim." },
        { ...base, ref: "M1", kbId: "", docId: "memory:m", docName: "memory", claim: "You live in Berlin." },
        { ...base, ref: "T1", kbId: "", docId: "tool:x", docName: "Tool x", claim: "Balance is 5." },
      ]).map((c) => c.claim),
    ).toEqual(["A claim."]);
  });
});
