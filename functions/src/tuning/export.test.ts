/**
 * The fine-tuning export over HTTP against the local platform (the built-in models): which answers become
 * examples and which are left out (and counted), what an example holds (the version's instructions, the
 * conversation before the answer, the rated or corrected answer), that no email or phone number survives in any
 * file, that the files pass the format validator, the split by conversation, token counts and the cost estimate,
 * and the hostile cases: another tenant's agent, nothing to export, huge messages, the size limit, and failures
 * half-way that must leave nothing behind.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { messagePath } from "../agents/schema.js";
import { createAnnotation } from "./annotations.js";
import {
  createTuningExport,
  isValidationConversation,
  maxContextMessages,
  splitPosition,
  stripCitationMarkers,
} from "./export.js";
import { tuningExportsPath, type TuningExportView } from "./schema.js";
import { leaks } from "./testing/pii-detector.js";
import { chatExampleTokens, loadTokenCounter, trainingPrices } from "./tokens.js";
import { validateFineTuningJsonl } from "./validate-jsonl.js";

let platform: TestPlatform;
let agentId: string;
let otherAgentId: string;

const handbook = `# Acme handbook

## Vacation

Full-time employees receive 25 vacation days per calendar year. Up to 5 unused vacation days can be carried over into the next year.

## Expenses

Submit expense claims in the finance portal within 30 days. Attach an itemised receipt for every expense above 10 euros.

## Help desk

The HR help desk answers on +44 20 7946 0958 and at hr.desk@acme-handbook.example on working days.
`;

const instructions =
  "You answer Acme HR questions. Escalate pay questions to payroll.team@acme-handbook.example.";

/** Contact details the end users give in their questions: none may reach a file. */
const userContacts = [
  "I am jane.qzwxrt@example.com",
  "call me on 07700 900461",
  "reach me at +1 (415) 555-0172",
  "my mail is QZWXRT.Bob+hr@Sub.Example.org",
  "ring 0049 30 9076 5432",
  "mail jane [at] qzwxrt [dot] com",
];

const editor: Caller = { tenantId: "acme", role: "editor", uid: "apikey:export-test", via: "api-key" };

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

interface Answer {
  id: string;
  traceId: string;
  content: string;
}

/** A conversation with `agent` (its published version unless `version`), one answer per question. */
async function talk(agent: string, questions: readonly string[], version?: "draft") {
  const started = await platform.fetch(`/v1/agents/${agent}/conversations`, {
    method: "POST",
    json: version ? { version } : {},
  });
  expect(started.status, await started.clone().text()).toBe(201);
  const conversationId = (await json<{ id: string }>(started)).id;
  const answers: Answer[] = [];
  for (const content of questions) {
    const res = await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      json: { content },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    answers.push((await json<{ message: Answer }>(res)).message);
  }
  return { conversationId, answers };
}

async function rate(conversationId: string, answer: Answer, rating: "up" | "down", comment?: string) {
  const res = await platform.fetch(`/v1/conversations/${conversationId}/messages/${answer.id}/feedback`, {
    method: "PUT",
    json: { rating, ...(comment ? { comment } : {}) },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function exportNow(body: Record<string, unknown>, key?: string) {
  return platform.fetch("/v1/tuning/exports", { method: "POST", json: body, ...(key ? { key } : {}) });
}

async function file(exportId: string, name: "train" | "validation" | "manifest"): Promise<string> {
  const res = await platform.fetch(`/v1/tuning/exports/${exportId}/files/${name}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.text();
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

interface Line {
  messages: { role: string; content: string; weight?: number }[];
}

interface ManifestLine {
  file: "train" | "validation";
  line: number;
  conversationId: string;
  messageId: string;
  traceId: string;
  source: "rated" | "annotation";
  tokens: number;
}

/** Conversations of the fixture: enough for at least 10 training examples on either seed used below. */
const conversations = 18;

/** What the fixture did, to compare the export with. */
const fixture = {
  ratedUp: [] as { conversationId: string; answer: Answer; context: number }[],
  ratedDown: [] as { conversationId: string; answer: Answer }[],
  corrected: new Map<string, string>(),
  draftTraceId: "",
  otherAgentTraceId: "",
};

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  const kbId = (
    await json<{ id: string }>(
      await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "HR" } }),
    )
  ).id;
  await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
    method: "POST",
    json: { name: "handbook.md", text: handbook },
  });
  await platform.host.runner.idle();
  const create = async (name: string) => {
    const res = await platform.fetch("/v1/agents", {
      method: "POST",
      json: { name, instructions, knowledgeBaseIds: [kbId], confidenceThreshold: 0 },
    });
    const id = (await json<{ id: string }>(res)).id;
    expect((await platform.fetch(`/v1/agents/${id}/publish`, { method: "POST", json: {} })).status).toBe(200);
    return id;
  };
  agentId = await create("HR bot");
  otherAgentId = await create("Other bot");

  // Two-turn conversations: the second answer rated up (with the first as context), the first answer of every
  // third conversation rated down.
  for (let i = 0; i < conversations; i++) {
    const contact = userContacts[i % userContacts.length] as string;
    const { conversationId, answers } = await talk(agentId, [
      `${contact}. How many vacation days do I get?`,
      i % 2 === 0 ? "How do I reach the HR help desk?" : "When must expense claims be submitted?",
    ]);
    fixture.ratedUp.push({ conversationId, answer: answers[1] as Answer, context: 2 });
    await rate(conversationId, answers[1] as Answer, "up", `Great, thanks! I'm at ${contact}`);
    if (i % 3 === 0) {
      fixture.ratedDown.push({ conversationId, answer: answers[0] as Answer });
      await rate(conversationId, answers[0] as Answer, "down", "Too vague.");
    }
  }
  // Two corrections: one of an answer rated down (it becomes an example), one of an answer rated up (the
  // correction replaces it).
  const down = fixture.ratedDown[0] as (typeof fixture.ratedDown)[number];
  const downCorrection = "You get 25 vacation days a year [1]; questions go to +44 20 7946 0958.";
  await createAnnotation(platform.deps, editor, { traceId: down.answer.traceId, corrected: downCorrection });
  fixture.corrected.set(down.answer.traceId, downCorrection);
  const up = fixture.ratedUp[1] as (typeof fixture.ratedUp)[number];
  const upCorrection =
    "Submit expense claims within 30 days, with receipts; ask hr.desk@acme-handbook.example.";
  await createAnnotation(platform.deps, editor, { traceId: up.answer.traceId, corrected: upCorrection });
  fixture.corrected.set(up.answer.traceId, upCorrection);

  // A playground answer rated up, then the draft edited: the instructions of that turn are gone.
  const draft = await talk(agentId, ["How many vacation days do I get?"], "draft");
  await rate(draft.conversationId, draft.answers[0] as Answer, "up");
  fixture.draftTraceId = (draft.answers[0] as Answer).traceId;
  const patched = await platform.fetch(`/v1/agents/${agentId}`, {
    method: "PATCH",
    json: { instructions: `${instructions} Be brief.` },
  });
  expect(patched.status).toBe(200);

  // Another agent's rated answer: in a whole-workspace export, not in this agent's.
  const other = await talk(otherAgentId, ["How many vacation days do I get?"]);
  await rate(other.conversationId, other.answers[0] as Answer, "up");
  fixture.otherAgentTraceId = (other.answers[0] as Answer).traceId;
}, 120_000);

afterAll(async () => {
  await platform?.close();
});

describe("an export of an agent's rated and corrected answers", () => {
  let record: TuningExportView;
  let train: Line[];
  let validation: Line[];
  let manifest: ManifestLine[];
  let files: Record<"train" | "validation" | "manifest", string>;
  let seed: string;

  beforeAll(async () => {
    // Conversation ids are random: the seed is chosen so that both sides hold enough (10+ training examples,
    // 2+ validation conversations), which a fixed seed would only do most of the time.
    const ids = fixture.ratedUp.map((r) => r.conversationId);
    for (let i = 0; ; i++) {
      const validationSide = ids.filter((id) => isValidationConversation(`handbook-${i}`, 0.25, id)).length;
      if (validationSide >= 2 && ids.length - validationSide >= 11) {
        seed = `handbook-${i}`;
        break;
      }
    }
    const res = await exportNow({ agentId, seed, validationShare: 0.25 });
    expect(res.status, await res.clone().text()).toBe(201);
    record = await json<TuningExportView>(res);
    files = {
      train: await file(record.id, "train"),
      validation: await file(record.id, "validation"),
      manifest: await file(record.id, "manifest"),
    };
    train = lines(files.train).map((l) => JSON.parse(l) as Line);
    validation = lines(files.validation).map((l) => JSON.parse(l) as Line);
    manifest = lines(files.manifest).map((l) => JSON.parse(l) as ManifestLine);
  });

  it("holds every answer rated up or corrected, and counts what it left out and why", () => {
    // Each conversation's answer rated up (one of them corrected) + one rated down and corrected; the draft's
    // answer is left out.
    expect(record.counts).toMatchObject({
      examples: conversations + 1,
      fromRatings: conversations - 1,
      fromAnnotations: 2,
      conversations,
    });
    expect(record.counts.train).toBeGreaterThanOrEqual(10);
    expect(record.counts.train + record.counts.validation).toBe(conversations + 1);
    expect(record.excluded).toEqual({
      ratedDownWithoutCorrection: fixture.ratedDown.length - 1,
      instructionsUnavailable: 1,
    });
    expect(record.notes.join(" ")).toContain("rated thumbs-down were left out");
    const traces = new Set(manifest.map((m) => m.traceId));
    for (const r of fixture.ratedUp) expect(traces.has(r.answer.traceId)).toBe(true);
    expect(traces.has((fixture.ratedDown[0] as { answer: Answer }).answer.traceId)).toBe(true);
    expect(traces.has((fixture.ratedDown[1] as { answer: Answer }).answer.traceId)).toBe(false);
    expect(traces.has(fixture.draftTraceId)).toBe(false);
    expect(traces.has(fixture.otherAgentTraceId)).toBe(false);
  });

  it("writes each example as the version's instructions, the conversation before the answer, then the answer", () => {
    const byTrace = new Map(manifest.map((m) => [m.traceId, m]));
    const lineOf = (traceId: string): Line => {
      const m = byTrace.get(traceId) as ManifestLine;
      return (m.file === "train" ? train : validation)[m.line - 1] as Line;
    };
    for (const r of fixture.ratedUp) {
      const example = lineOf(r.answer.traceId);
      const roles = example.messages.map((m) => m.role);
      expect(roles).toEqual(["system", "user", "assistant", "user", "assistant"]);
      // The version that answered (v1), not the draft edited since, with its contact redacted.
      expect(example.messages[0]?.content).toBe(
        "You answer Acme HR questions. Escalate pay questions to [email].",
      );
      // Earlier answers are context: shown, not trained on.
      expect(example.messages[2]?.weight).toBe(0);
      expect(example.messages[4]?.weight).toBeUndefined();
      const last = example.messages[4]?.content as string;
      const expected = fixture.corrected.get(r.answer.traceId) ?? r.answer.content;
      if (!fixture.corrected.has(r.answer.traceId)) {
        expect(last).toBe(
          stripCitationMarkers(expected)
            .replace("+44 20 7946 0958", "[phone]")
            .replace("hr.desk@acme-handbook.example", "[email]"),
        );
      } else {
        expect(last).toBe("Submit expense claims within 30 days, with receipts; ask [email].");
      }
      expect(last).not.toMatch(/\[\d+\]/);
    }
    const corrected = lineOf((fixture.ratedDown[0] as { answer: Answer }).answer.traceId);
    expect(corrected.messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
    expect(corrected.messages[2]?.content).toBe("You get 25 vacation days a year; questions go to [phone].");
  });

  it("leaves no email address or phone number in any file", () => {
    for (const [name, text] of Object.entries(files)) {
      expect(leaks(text), name).toEqual([]);
      for (const secret of ["qzwxrt", "900461", "5550172", "9076", "acme-handbook.example", "7946"]) {
        expect(text.toLowerCase(), `${name}: ${secret}`).not.toContain(secret);
      }
    }
    expect(record.redactions.email).toBeGreaterThanOrEqual(15);
    expect(record.redactions.phone).toBeGreaterThanOrEqual(5);
    // Feedback comments never reach the files (they carry contacts too).
    expect(files.train + files.validation).not.toContain("Great, thanks");
  });

  it("passes the format validator, as stored and as downloaded", () => {
    expect(record.validation.train.valid).toBe(true);
    expect(record.validation.validation.valid).toBe(true);
    expect(validateFineTuningJsonl(files.train, { purpose: "training" })).toMatchObject({
      valid: true,
      errors: [],
    });
    expect(validateFineTuningJsonl(files.validation, { purpose: "validation" })).toMatchObject({
      valid: true,
    });
    expect(record.files.train.sha256).toBe(createHash("sha256").update(files.train).digest("hex"));
  });

  it("splits by conversation, never one on both sides, where the seed's hash puts it", () => {
    const sides = new Map<string, Set<string>>();
    for (const m of manifest)
      sides.set(m.conversationId, (sides.get(m.conversationId) ?? new Set()).add(m.file));
    expect([...sides.values()].every((s) => s.size === 1)).toBe(true);
    for (const [conversationId, side] of sides) {
      // Recomputed here from the documented rule: sha256("seed\0id"), first 6 bytes over 2^48, below the share.
      const digest = createHash("sha256").update(`${seed}\u0000${conversationId}`).digest();
      const expected = digest.readUIntBE(0, 6) / 2 ** 48 < 0.25 ? "validation" : "train";
      expect([...side][0]).toBe(expected);
    }
    expect(record.counts.validationConversations).toBe(
      [...sides.values()].filter((s) => s.has("validation")).length,
    );
  });

  it("is the same file for the same seed, and a request replayed makes a second export of the same data", async () => {
    const again = await json<TuningExportView>(await exportNow({ agentId, seed, validationShare: 0.25 }));
    expect(again.id).not.toBe(record.id);
    expect(again.files.train.sha256).toBe(record.files.train.sha256);
    expect(again.files.validation.sha256).toBe(record.files.validation.sha256);
  });

  it("counts tokens per example as documented, and prices an epoch from the dated table", async () => {
    const count = await loadTokenCounter();
    const trainTokens = train.map((l) => chatExampleTokens(l.messages, count));
    expect(record.tokens.train).toBe(trainTokens.reduce((a, b) => a + b, 0));
    expect(manifest.filter((m) => m.file === "train").map((m) => m.tokens)).toEqual(trainTokens);
    expect(record.tokens.perExample?.max).toBe(Math.max(...manifest.map((m) => m.tokens)));
    expect(record.cost.pricesAsOf).toBe(trainingPrices.asOf);
    const mini = record.cost.models.find((m) => m.model === "gpt-4o-mini-2024-07-18");
    expect(mini?.tokensPerEpoch).toBe(record.tokens.train);
    expect(mini?.usdPerEpoch).toBeCloseTo((record.tokens.train / 1e6) * 3, 4);
    // Too few examples for OpenAI's minimum of 10 on the training side is said, not refused.
    if (record.counts.train < 10) expect(record.notes.join(" ")).toContain("at least 10");
  });

  it("is listed, read back, and deleted with its files", async () => {
    const listed = await json<{ exports: { id: string }[] }>(await platform.fetch("/v1/tuning/exports"));
    expect(listed.exports.map((e) => e.id)).toContain(record.id);
    const read = await json<TuningExportView>(await platform.fetch(`/v1/tuning/exports/${record.id}`));
    expect(read.counts).toEqual(record.counts);
    const download = await platform.fetch(`/v1/tuning/exports/${record.id}/files/train`);
    expect(download.headers.get("content-type")).toBe("application/jsonl; charset=utf-8");
    expect(download.headers.get("content-disposition")).toContain(`${record.id}-train.jsonl`);
    expect((await platform.fetch(`/v1/tuning/exports/${record.id}/files/secrets`)).status).toBe(400);
    const copy = await json<TuningExportView>(await exportNow({ agentId }));
    expect((await platform.fetch(`/v1/tuning/exports/${copy.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await platform.fetch(`/v1/tuning/exports/${copy.id}`)).status).toBe(404);
    expect(await platform.deps.blobs.list(`${tuningExportsPath("acme")}/${copy.id}/`)).toEqual([]);
  });
});

describe("filters", () => {
  it("keeps only corrections when rated answers are below the minimum confidence", async () => {
    const res = await exportNow({ agentId, minConfidence: 1 });
    const record = await json<TuningExportView>(res);
    expect(record.counts.fromRatings).toBe(0);
    expect(record.counts.fromAnnotations).toBe(2);
    // The rated answers, the draft's included (its instructions are checked after the confidence).
    expect(record.excluded.belowMinConfidence).toBe(conversations - 1 + 1);
  });

  it("takes the whole workspace without agentId, the other agent included", async () => {
    const record = await json<TuningExportView>(
      await exportNow({ include: { rated: true, annotations: false } }),
    );
    // Every conversation's rated answer and the other agent's; no correction (the draft's instructions are gone).
    expect(record.counts.examples).toBe(conversations + 1);
    const manifest = lines(await file(record.id, "manifest")).map((l) => JSON.parse(l) as ManifestLine);
    expect(manifest.map((m) => m.traceId)).toContain(fixture.otherAgentTraceId);
    expect(manifest.every((m) => m.source === "rated")).toBe(true);
  });

  it("says plainly when nothing matches, and writes nothing", async () => {
    const before = await platform.deps.store.count({ collection: tuningExportsPath("acme") });
    const res = await exportNow({ agentId, to: "2020-01-01" });
    expect(res.status).toBe(400);
    const error = (await json<{ error: { code: string; message: string } }>(res)).error;
    expect(error.code).toBe("failed-precondition");
    expect(error.message).toMatch(/^Nothing to export: no answers rated thumbs-up or corrected answers/);
    expect(error.message).toContain("outsideDates");
    expect(await platform.deps.store.count({ collection: tuningExportsPath("acme") })).toBe(before);
  });

  it("refuses malformed bodies with the field named", async () => {
    for (const [body, said] of [
      [{ include: { rated: false, annotations: false } }, "include"],
      [{ validationShare: 0.9 }, "validationShare"],
      [{ from: "yesterday" }, "from"],
      [{ from: "2026-05-02", to: "2026-05-01" }, "from"],
      [{ agentId: "../acme" }, "agentId"],
      [{ seed: { $gt: 1 } }, "seed"],
      [{ tenantId: "globex" }, "tenantId"],
    ] as const) {
      const res = await exportNow(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json<{ error: { message: string } }>(res)).error.message).toContain(said);
    }
  });
});

describe("hostile input", () => {
  it("shows another tenant nothing: acme's agent is not found, and globex's own export is empty", async () => {
    const foreign = await exportNow({ agentId }, platform.keys.otherTenantOwner);
    expect(foreign.status).toBe(404);
    const own = await exportNow({}, platform.keys.otherTenantOwner);
    expect(own.status).toBe(400);
    expect(await own.text()).not.toMatch(/HR bot|vacation/);
  });

  it("needs agents.manage: a viewer cannot export", async () => {
    expect((await exportNow({ agentId }, platform.keys.viewer)).status).toBe(403);
  });

  it("drops the oldest turns of a huge conversation, and leaves out an answer too long to train on", async () => {
    const { conversationId, answers } = await talk(agentId, [
      "How many vacation days do I get?",
      "And how do I submit expenses?",
    ]);
    // A first question far over any model's training context (the API caps messages; the store does not).
    const messages = await platform.deps.store.query({
      collection: `tenants/acme/conversations/${conversationId}/messages`,
      orderBy: [{ field: "seq" }],
    });
    const firstQuestion = messages[0] as (typeof messages)[number];
    await platform.deps.store.update(messagePath("acme", conversationId, firstQuestion.id), {
      content: `${"vacation policy question ".repeat(30_000)} sam.qzwxrt@example.com`,
    });
    await rate(conversationId, answers[1] as Answer, "up");
    // A correction far too long, written past the API's limit.
    const long = await talk(agentId, ["Can I carry over vacation days?"]);
    await rate(long.conversationId, long.answers[0] as Answer, "up");
    await createAnnotation(platform.deps, editor, {
      traceId: (long.answers[0] as Answer).traceId,
      corrected: "Yes, up to five.",
    });
    await platform.deps.store.update(`tenants/acme/annotations/${(long.answers[0] as Answer).traceId}`, {
      corrected: "carry over ".repeat(150_000),
    });

    const record = await json<TuningExportView>(await exportNow({ agentId }));
    expect(record.excluded.tooLong).toBe(1);
    const manifest = lines(await file(record.id, "manifest")).map((l) => JSON.parse(l) as ManifestLine);
    const entry = manifest.find((m) => m.traceId === (answers[1] as Answer).traceId) as ManifestLine;
    const text = await file(record.id, entry.file);
    const example = JSON.parse(lines(text)[entry.line - 1] as string) as Line;
    expect(example.messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
    expect(example.messages[1]?.content).toBe("And how do I submit expenses?");
    expect(text).not.toContain("qzwxrt");
    expect(maxContextMessages).toBe(20);
  });

  it("refuses an export past its size limit, naming the count", async () => {
    await expect(
      createTuningExport(platform.deps, "acme", { agentId }, "test", { maxExamples: 3 }),
    ).rejects.toMatchObject({
      code: "out-of-range",
      message: expect.stringMatching(/at most 3 examples; these filters select \d+/) as unknown,
    });
  });

  it("leaves nothing behind when a file cannot be written", async () => {
    const before = await platform.deps.store.count({ collection: tuningExportsPath("acme") });
    let puts = 0;
    const blobs = platform.deps.blobs;
    const failing: Deps = {
      ...platform.deps,
      blobs: {
        ...blobs,
        put: async (path, data, options) => {
          if (++puts === 2) throw new Error("disk full");
          return blobs.put(path, data, options);
        },
        delete: (path) => blobs.delete(path),
        list: (prefix) => blobs.list(prefix),
        get: (path) => blobs.get(path),
        stat: (path) => blobs.stat(path),
      },
    };
    const listedBefore = (await blobs.list(tuningExportsPath("acme"))).length;
    await expect(createTuningExport(failing, "acme", { agentId }, "test")).rejects.toThrow("disk full");
    expect(await platform.deps.store.count({ collection: tuningExportsPath("acme") })).toBe(before);
    expect((await blobs.list(tuningExportsPath("acme"))).length).toBe(listedBefore);
  });

  it("leaves nothing behind when the record cannot be written", async () => {
    const before = (await platform.deps.blobs.list(tuningExportsPath("acme"))).length;
    const store = platform.deps.store;
    const failing: Deps = {
      ...platform.deps,
      store: Object.assign(Object.create(Object.getPrototypeOf(store) as object) as typeof store, store, {
        create: () => Promise.reject(new Error("store unavailable")),
      }),
    };
    await expect(createTuningExport(failing, "acme", { agentId }, "test")).rejects.toThrow(
      "store unavailable",
    );
    expect((await platform.deps.blobs.list(tuningExportsPath("acme"))).length).toBe(before);
  });
});

describe("the split", () => {
  it("puts the configured share of conversations on the validation side (±1 point over 10,000)", () => {
    for (const share of [0.1, 0.2, 0.5]) {
      let n = 0;
      for (let i = 0; i < 10_000; i++) if (isValidationConversation("seed-7", share, `conversation${i}`)) n++;
      expect(Math.abs(n / 10_000 - share)).toBeLessThan(0.01);
    }
  });

  it("never moves a conversation for the same seed, and moves some for another", () => {
    const ids = Array.from({ length: 500 }, (_, i) => `c${i}`);
    const a = ids.map((id) => splitPosition("a", id));
    expect(ids.map((id) => splitPosition("a", id))).toEqual(a);
    const b = ids.map((id) => splitPosition("b", id));
    expect(a.filter((p, i) => p < 0.1 !== (b[i] as number) < 0.1).length).toBeGreaterThan(20);
  });
});

describe("stripCitationMarkers", () => {
  it.each([
    ["Full-time staff get 25 days [1].", "Full-time staff get 25 days."],
    ["It is 10:30 [T1][2], says the clock.", "It is 10:30, says the clock."],
    ["See [email] and [phone] [3]", "See [email] and [phone]"],
    ["Index [0] and [note] stay: markers count from 1.", "Index [0] and [note] stay: markers count from 1."],
  ])("%j → %j", (input, output) => {
    expect(stripCitationMarkers(input)).toBe(output);
  });
});
