/**
 * Drift's REST routes over the in-process local platform: listing flags with filters and pages, reading and
 * reviewing one (audited), the canonical questions, and the hostile cases (a malformed status, an oversized note,
 * unknown fields, an unknown or another tenant's flag, a forged cursor, a viewer's key).
 */
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { Citation } from "../accountability/schema.js";
import { json } from "../channels/openai/testing/fixture.js";
import {
  canonicalQuestionListQuery,
  canonicalQuestionListSpec,
  driftListQuery,
  driftListSpec,
  leastRecentlyAskedSpec,
  maxDriftNoteChars,
  observeAnswer,
  type DriftFlagView,
} from "./drift.js";

let platform: TestPlatform;
/** Acme's flags, oldest first: two of agent "hrBot", one of "itBot". */
const flagIds: string[] = [];
let globexFlagId: string;

function observation(agentId: string, traceId: string, question: string, claim: string, at: string) {
  const citation: Citation = {
    ref: "1",
    kbId: "kb1",
    docId: "handbook",
    docName: "handbook.md",
    chunkId: "handbook-v1-0",
    quote: claim,
    claim,
    location: { startOffset: 0, endOffset: claim.length, headingPath: [] },
    score: 0.9,
  };
  return {
    agentId,
    agentVersion: 1,
    traceId,
    conversationId: `conv_${traceId}`,
    question,
    answer: `${claim} [1]`,
    abstained: false,
    citations: [citation],
    createdAt: at,
  };
}

/** Two answers that disagree: the flag between them. */
async function drift(
  tenantId: string,
  agentId: string,
  question: string,
  was: number,
  now: number,
  day: number,
) {
  const at = (minute: number) => new Date(Date.UTC(2026, 2, day, 9, minute)).toISOString();
  await observeAnswer(
    platform.deps,
    tenantId,
    observation(
      agentId,
      `${agentId}_${day}_a`,
      question,
      `Employees receive ${was} vacation days per year.`,
      at(0),
    ),
  );
  const { flagId } = await observeAnswer(
    platform.deps,
    tenantId,
    observation(
      agentId,
      `${agentId}_${day}_b`,
      question,
      `Employees receive ${now} vacation days per year.`,
      at(1),
    ),
  );
  expect(flagId).not.toBeNull();
  return flagId as string;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  // Flags are stamped by the system clock: a few milliseconds apart, they list in the order they were made.
  flagIds.push(await drift("acme", "hrBot", "How many vacation days do I get?", 25, 20, 1));
  await new Promise((r) => setTimeout(r, 5));
  flagIds.push(await drift("acme", "itBot", "How many vacation days do contractors get?", 10, 12, 2));
  await new Promise((r) => setTimeout(r, 5));
  flagIds.push(await drift("acme", "hrBot", "How many vacation days do interns get?", 5, 8, 3));
  globexFlagId = await drift("globex", "hrBot", "How many vacation days do I get?", 30, 28, 1);
}, 60_000);

afterAll(async () => {
  await platform?.close();
});

const patch = (flagId: string, body: unknown, key?: string) =>
  platform.fetch(`/v1/drift/${flagId}`, { method: "PATCH", json: body, ...(key ? { key } : {}) });

async function errorOf(res: Response, status: number): Promise<string> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await json<{ error: { message: string } }>(res)).error.message;
}

describe("GET /v1/drift", () => {
  it("lists the workspace's flags newest first, by agent and status, a page at a time", async () => {
    const all = await json<{ flags: DriftFlagView[]; nextCursor: string | null }>(
      await platform.fetch("/v1/drift"),
    );
    expect(all.flags.map((f) => f.id)).toEqual([...flagIds].reverse());
    expect(all.nextCursor).toBeNull();
    const [newest] = all.flags;
    expect(newest).toMatchObject({
      agentId: "hrBot",
      question: "How many vacation days do interns get?",
      status: "open",
      note: "",
      reviewedBy: null,
      difference: "answered 5 vacation days, now 8",
      causes: [],
      before: { answer: "Employees receive 5 vacation days per year. [1]", agentVersion: 1 },
      after: { sources: [{ docId: "handbook", docName: "handbook.md", version: 1 }] },
    });
    // The stored claims are what the next answer is compared with, not part of the view.
    expect(newest?.before).not.toHaveProperty("claims");

    const hr = await json<{ flags: DriftFlagView[] }>(await platform.fetch("/v1/drift?agentId=hrBot"));
    expect(hr.flags.map((f) => f.id)).toEqual([flagIds[2], flagIds[0]]);

    const first = await json<{ flags: DriftFlagView[]; nextCursor: string }>(
      await platform.fetch("/v1/drift?limit=2"),
    );
    expect(first.flags.map((f) => f.id)).toEqual([flagIds[2], flagIds[1]]);
    const second = await json<{ flags: DriftFlagView[]; nextCursor: string | null }>(
      await platform.fetch(`/v1/drift?limit=2&cursor=${first.nextCursor}`),
    );
    expect(second.flags.map((f) => f.id)).toEqual([flagIds[0]]);
    expect(second.nextCursor).toBeNull();
  });

  it("refuses malformed filters and a cursor that is not a flag of this workspace", async () => {
    expect(await errorOf(await platform.fetch("/v1/drift?status=closed"), 400)).toMatch(
      /status: must be open, reviewed or dismissed/,
    );
    expect(await errorOf(await platform.fetch("/v1/drift?limit=0"), 400)).toMatch(/limit/);
    expect(await errorOf(await platform.fetch("/v1/drift?agentId=a%2Fb"), 400)).toMatch(/agentId/);
    expect(await errorOf(await platform.fetch("/v1/drift?sort=asc"), 400)).toMatch(/sort/);
    expect(await errorOf(await platform.fetch(`/v1/drift?cursor=${globexFlagId}`), 400)).toMatch(/cursor/);
  });

  it("shows another tenant none of these flags", async () => {
    const theirs = await json<{ flags: DriftFlagView[] }>(
      await platform.fetch("/v1/drift", { key: platform.keys.otherTenantOwner }),
    );
    expect(theirs.flags.map((f) => f.id)).toEqual([globexFlagId]);
    expect(theirs.flags[0]?.difference).toBe("answered 30 vacation days, now 28");
  });
});

describe("GET and PATCH /v1/drift/{flagId}", () => {
  it("reviews a flag, recording who, when and the note, and audits it", async () => {
    const id = flagIds[1] as string;
    const res = await patch(id, { status: "reviewed", note: "Contractors moved to 12 days in March." });
    expect(res.status, await res.clone().text()).toBe(200);
    const reviewed = await json<DriftFlagView>(res);
    expect(reviewed).toMatchObject({
      id,
      status: "reviewed",
      note: "Contractors moved to 12 days in March.",
      reviewedBy: expect.stringMatching(/^apikey:/),
    });
    expect(reviewed.reviewedAt).not.toBeNull();
    expect(await json<DriftFlagView>(await platform.fetch(`/v1/drift/${id}`))).toEqual(reviewed);
    const reviewedOnly = await json<{ flags: DriftFlagView[] }>(
      await platform.fetch("/v1/drift?status=reviewed"),
    );
    expect(reviewedOnly.flags.map((f) => f.id)).toEqual([id]);

    // Open again: the note stays unless replaced; who reviewed it no longer applies.
    const reopened = await json<DriftFlagView>(await patch(id, { status: "open" }));
    expect(reopened).toMatchObject({
      status: "open",
      note: reviewed.note,
      reviewedBy: null,
      reviewedAt: null,
    });

    const audit = await json<{ entries: { action: string; target: { id: string }; after: unknown }[] }>(
      await platform.fetch("/v1/audit-log?action=driftFlag.review"),
    );
    expect(audit.entries.filter((e) => e.target.id === id)).toHaveLength(2);
  });

  it("refuses a malformed status, an oversized note and unknown fields", async () => {
    const id = flagIds[0] as string;
    expect(await errorOf(await patch(id, { status: "closed" }), 400)).toMatch(
      /status: must be open, reviewed or dismissed/,
    );
    expect(await errorOf(await patch(id, {}), 400)).toMatch(/status/);
    expect(await errorOf(await patch(id, { status: "reviewed", note: 42 }), 400)).toMatch(/note/);
    expect(
      await errorOf(await patch(id, { status: "reviewed", note: "x".repeat(maxDriftNoteChars + 1) }), 400),
    ).toMatch(/note: must be at most 2,000 characters/);
    expect(await errorOf(await patch(id, { status: "reviewed", reviewedBy: "someone" }), 400)).toMatch(
      /reviewedBy/,
    );
    // Nothing of it was applied; a note of exactly the limit is taken.
    expect((await json<DriftFlagView>(await platform.fetch(`/v1/drift/${id}`))).status).toBe("open");
    const full = await json<DriftFlagView>(
      await patch(id, { status: "dismissed", note: "y".repeat(maxDriftNoteChars) }),
    );
    expect(full.note).toHaveLength(maxDriftNoteChars);
    expect(full.status).toBe("dismissed");
  });

  it("answers 404 for an unknown flag and for another tenant's, and 403 to a viewer", async () => {
    expect(await errorOf(await platform.fetch("/v1/drift/nosuchflag"), 404)).toMatch(/nosuchflag not found/);
    expect(await errorOf(await patch("nosuchflag", { status: "reviewed" }), 404)).toMatch(/not found/);
    expect(await errorOf(await platform.fetch(`/v1/drift/${globexFlagId}`), 404)).toMatch(/not found/);
    expect(await errorOf(await patch(globexFlagId, { status: "dismissed" }), 404)).toMatch(/not found/);
    const theirs = await json<DriftFlagView>(
      await platform.fetch(`/v1/drift/${globexFlagId}`, { key: platform.keys.otherTenantOwner }),
    );
    expect(theirs.status).toBe("open"); // acme's attempt changed nothing
    await errorOf(await platform.fetch(`/v1/drift/${flagIds[0]}`, { key: platform.keys.viewer }), 403);
    await errorOf(await patch(flagIds[0] as string, { status: "reviewed" }, platform.keys.viewer), 403);
    expect((await platform.fetch(`/v1/drift/${"x".repeat(300)}`)).status).toBe(400);
  });
});

describe("GET /v1/canonical-questions", () => {
  it("lists the questions, most recently asked first, with counts, phrasings and the last answer", async () => {
    await observeAnswer(
      platform.deps,
      "acme",
      observation(
        "hrBot",
        "rephrased",
        "hi, how many vacation days do I get",
        "Employees receive 20 vacation days per year.",
        "2026-03-05T09:00:00.000Z",
      ),
    );
    const { questions, nextCursor } = await json<{
      questions: {
        question: string;
        count: number;
        variants: number;
        lastAskedAt: string;
        lastAnswer: unknown;
      }[];
      nextCursor: string | null;
    }>(await platform.fetch("/v1/canonical-questions?agentId=hrBot"));
    expect(questions.map((q) => [q.question, q.count, q.variants, q.lastAskedAt])).toEqual([
      ["How many vacation days do I get?", 3, 2, "2026-03-05T09:00:00.000Z"],
      ["How many vacation days do interns get?", 2, 1, "2026-03-03T09:01:00.000Z"],
    ]);
    expect(questions[0]?.lastAnswer).toMatchObject({ traceId: "rephrased", abstained: false });
    expect(nextCursor).toBeNull();
    const paged = await json<{ questions: unknown[]; nextCursor: string | null }>(
      await platform.fetch("/v1/canonical-questions?limit=1"),
    );
    expect(paged.questions).toHaveLength(1);
    expect(paged.nextCursor).not.toBeNull();
    expect((await platform.fetch("/v1/canonical-questions?agentId=../x")).status).toBe(400);
    const theirs = await json<{ questions: { question: string }[] }>(
      await platform.fetch("/v1/canonical-questions", { key: platform.keys.otherTenantOwner }),
    );
    expect(theirs.questions.map((q) => q.question)).toEqual(["How many vacation days do I get?"]);
  });
});

describe("indexes", () => {
  it("asks Firestore only for listings firestore.indexes.json has an index for", () => {
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
    const { indexes } = JSON.parse(
      fs.readFileSync(path.join(repoRoot, "firestore.indexes.json"), "utf8"),
    ) as {
      indexes: {
        collectionGroup: string;
        queryScope: string;
        fields: { fieldPath: string; order?: string }[];
      }[];
    };
    interface Spec {
      where: readonly { field: string }[];
      orderBy: readonly { field: string; direction?: string }[];
    }
    const covered = (group: string, spec: Spec): boolean => {
      const wanted = [
        ...spec.where.map((f) => `${f.field}:ASCENDING`),
        ...spec.orderBy.map((o) => `${o.field}:${o.direction === "desc" ? "DESCENDING" : "ASCENDING"}`),
      ];
      // One field alone is served by Firestore's automatic single-field indexes.
      if (wanted.length === 1) return true;
      return indexes.some(
        (i) =>
          i.collectionGroup === group &&
          i.queryScope === "COLLECTION" &&
          JSON.stringify(i.fields.map((f) => `${f.fieldPath}:${f.order}`)) === JSON.stringify(wanted),
      );
    };
    for (const query of [{}, { agentId: "a" }, { status: "open" }, { agentId: "a", status: "open" }]) {
      expect(
        covered("driftFlags", driftListSpec("acme", driftListQuery.parse(query))),
        JSON.stringify(query),
      ).toBe(true);
    }
    for (const query of [{}, { agentId: "a" }]) {
      const spec = canonicalQuestionListSpec("acme", canonicalQuestionListQuery.parse(query));
      expect(covered("canonicalQuestions", spec), JSON.stringify(query)).toBe(true);
    }
    // Eviction: an agent's least recently asked first.
    expect(covered("canonicalQuestions", leastRecentlyAskedSpec("acme", "a", 1))).toBe(true);
  });
});
