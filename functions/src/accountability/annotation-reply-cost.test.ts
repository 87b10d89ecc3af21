/**
 * What annotation replies cost a turn that is not one (the common case), measured and printed: the lookup
 * (`findAnnotationReply`) for an agent with 0 and with 500 annotations served as replies, cold (the instance
 * reads the agent's annotations: one query) and warm (the per-agent index in memory), and the whole turn's time
 * with 0 and 500, on the local platform with the built-in models. Figures depend on the machine and are only
 * printed; the assertions are that the index is used (a warm lookup reads nothing from the store, a cold one
 * reads) and that nothing matched by mistake.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { startConversation } from "../agents/conversations.js";
import { sendMessage } from "../agents/turn.js";
import { setUpAgents, type OpenAIFixture } from "../channels/openai/testing/fixture.js";
import {
  annotationPath,
  findAnnotationReply,
  forgetAnnotationIndex,
  normalizeQuestion,
  type Annotation,
} from "./annotations.js";

let platform: TestPlatform;
let agents: OpenAIFixture["agents"];

beforeAll(async () => {
  platform = await startTestPlatform();
  ({ agents } = await setUpAgents(platform));
});

afterAll(async () => {
  await platform?.close();
});

const verbs = [
  "reset",
  "renew",
  "cancel",
  "change",
  "download",
  "update",
  "request",
  "approve",
  "book",
  "report",
];
const things = [
  "badge",
  "laptop",
  "parking permit",
  "travel booking",
  "payslip",
  "locker",
  "training",
  "visa letter",
];
const teams = ["finance", "sales", "support", "engineering", "legal", "marketing", "operations"];

/** 500 served annotations of `agentId`, with varied questions none of the measured ones matches. */
async function seedAnnotations(agentId: string, n: number): Promise<void> {
  const now = new Date().toISOString();
  for (let start = 0; start < n; start += 250) {
    const batch = platform.deps.store.batch();
    for (let i = start; i < Math.min(n, start + 250); i++) {
      const question = `How do I ${verbs[i % verbs.length]} the ${things[i % things.length]} for the ${teams[i % teams.length]} team in office ${i}?`;
      const annotation: Annotation = {
        traceId: `seeded-${i}`,
        agentId,
        conversationId: null,
        messageId: null,
        question,
        questionKey: normalizeQuestion(question).join(" "),
        original: "I could not find this in the sources.",
        corrected: `Ask the ${teams[i % teams.length]} office desk (${i}).`,
        note: "",
        serveAsReply: true,
        evalItem: null,
        by: "apikey:seed",
        createdAt: now,
        updatedBy: "apikey:seed",
        updatedAt: now,
      };
      batch.set(annotationPath("acme", `seeded-${agentId}-${i}`), annotation);
    }
    await batch.commit();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (x: number) => `${x.toFixed(3)} ms`;

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

const questions = [
  "How many vacation days do full-time employees get?",
  "How many unused days can be carried over?",
  "Where do I submit expense claims?",
  "Which expenses need a receipt?",
  "When must expense claims be submitted?",
];

/** Median time of whole turns of `agentId`, each the first of a new conversation (the index warm). */
async function turnMedian(agentId: string, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const { id } = await startConversation(platform.deps, "acme", agentId, { channel: "api" });
    const turn = await time(() =>
      sendMessage(platform.deps, "acme", id, { content: questions[i % questions.length] as string }),
    );
    expect(turn.value.explanation).not.toMatch(/annotation/);
    times.push(turn.ms);
  }
  return median(times);
}

describe("the cost of annotation replies to a turn", () => {
  it("is measured for an agent with 0 and with 500 annotations (printed)", async () => {
    const agentId = agents.apiOnly;
    const lines = [
      "Annotation-reply lookup cost per turn (local platform, built-in models; the same agent):",
    ];
    const lookups = async (label: string) => {
      const cold: number[] = [];
      const warm: number[] = [];
      const reads = { cold: 0, warm: 0 };
      const query = vi.spyOn(platform.deps.store, "query");
      for (let round = 0; round < 20; round++) {
        forgetAnnotationIndex(platform.deps, "acme", agentId);
        query.mockClear();
        const first = await time(() =>
          findAnnotationReply(platform.deps, "acme", agentId, questions[round % 5] as string),
        );
        reads.cold += query.mock.calls.length;
        cold.push(first.ms);
        expect(first.value).toBeNull();
        query.mockClear();
        for (const q of questions) {
          const again = await time(() => findAnnotationReply(platform.deps, "acme", agentId, q));
          warm.push(again.ms);
          expect(again.value).toBeNull();
        }
        reads.warm += query.mock.calls.length;
      }
      query.mockRestore();
      await turnMedian(agentId, 5); // warm-up
      const turn = await turnMedian(agentId, 25);
      lines.push(
        `  ${label}: lookup cold (one query + index build) median ${ms(median(cold))}; warm median ` +
          `${ms(median(warm))}, max ${ms(Math.max(...warm))}; whole turn median ${ms(turn)}`,
      );
      return reads;
    };
    await turnMedian(agentId, 15); // the first turns of a process pay for loading code and models
    const none = await lookups("0 annotations");
    await seedAnnotations(agentId, 500);
    const many = await lookups("500 annotations");
    console.log(`\n${lines.join("\n")}`);
    // The index is what a turn uses: built with reads once, then consulted without any.
    expect(none).toEqual({ cold: expect.any(Number) as unknown, warm: 0 });
    expect(none.cold).toBeGreaterThanOrEqual(20);
    expect(many.warm).toBe(0);
    expect(many.cold).toBeGreaterThanOrEqual(20);
  }, 120_000);
});
