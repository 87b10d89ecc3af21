/**
 * Annotations over the REST API of the in-process local platform: an editor corrects an answer by its trace (kept
 * with the question and the original, made an item of the agent's "Annotations" eval dataset, audited), one per
 * answer; the correction served as the reply to near-identical questions to the same agent only, with its
 * provenance in the trace and the explanation; changes and deletion taking effect on the next turn; and the
 * hostile cases (other roles, another tenant's trace, a failed turn, oversized or malformed input), which write
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { tracePath } from "../accountability/schema.js";
import {
  json,
  setUpAgents,
  vacationQuestion,
  type OpenAIFixture,
} from "../channels/openai/testing/fixture.js";

let platform: TestPlatform;
let agents: OpenAIFixture["agents"];

interface Answer {
  id: string;
  content: string;
  traceId: string;
  confidence: number | null;
  citations: unknown[];
  explanation: string | null;
}
interface AnnotationView {
  id: string;
  traceId: string;
  agentId: string;
  question: string;
  original: string;
  corrected: string;
  note: string;
  serveAsReply: boolean;
  evalItem: { datasetId: string; itemId: string } | null;
  by: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

const corrected =
  "Full-time employees get 25 vacation days a year, plus one extra day for every five years of service.";

beforeAll(async () => {
  platform = await startTestPlatform();
  ({ agents } = await setUpAgents(platform));
});

afterAll(async () => {
  await platform?.close();
});

/** One question in a new conversation with `agentId`, as `key`; the answer. */
async function ask(agentId: string, content: string, key = platform.keys.owner): Promise<Answer> {
  const started = await platform.fetch(`/v1/agents/${agentId}/conversations`, {
    method: "POST",
    json: {},
    key,
  });
  expect(started.status, await started.clone().text()).toBe(201);
  const { id } = await json<{ id: string }>(started);
  const res = await platform.fetch(`/v1/conversations/${id}/messages`, {
    method: "POST",
    json: { content },
    key,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await json<{ message: Answer }>(res)).message;
}

const annotate = (body: unknown, key = platform.keys.editor) =>
  platform.fetch("/v1/annotations", { method: "POST", json: body, key });

const count = (collection: string) => platform.deps.store.count({ collection });

describe("correcting an answer", () => {
  it("keeps the question, the original and the correction, adds an eval item, audits it, once per answer", async () => {
    const answer = await ask(agents.hr, vacationQuestion);
    const res = await annotate({ traceId: answer.traceId, corrected, note: "Seniority days were missing" });
    expect(res.status, await res.clone().text()).toBe(201);
    const made = await json<AnnotationView>(res);
    expect(made).toMatchObject({
      id: answer.traceId,
      traceId: answer.traceId,
      agentId: agents.hr,
      question: vacationQuestion,
      original: answer.content,
      corrected,
      note: "Seniority days were missing",
      serveAsReply: false,
      by: expect.stringMatching(/^apikey:/) as unknown,
    });
    // The eval item, in the agent's own "Annotations" dataset.
    const dataset = await json<{ name: string; itemCount: number }>(
      await platform.fetch(`/v1/eval/datasets/${made.evalItem?.datasetId}`),
    );
    expect(dataset).toMatchObject({ name: "Annotations: HR assistant", itemCount: 1 });
    const item = await json<Record<string, unknown>>(
      await platform.fetch(`/v1/eval/datasets/${made.evalItem?.datasetId}/items/${made.evalItem?.itemId}`),
    );
    expect(item).toMatchObject({
      question: vacationQuestion,
      referenceAnswer: corrected,
      shouldAbstain: false,
      origin: { kind: "annotation", traceId: answer.traceId },
    });
    const audit = await json<{ entries: { action: string; target: { id: string } }[] }>(
      await platform.fetch("/v1/audit-log?targetType=annotation", { key: platform.keys.admin }),
    );
    expect(audit.entries.filter((e) => e.target.id === answer.traceId).map((e) => e.action)).toEqual([
      "annotation.create",
    ]);

    // A second correction of the same answer is a change, not a second annotation (nor a second item).
    const again = await annotate({ traceId: answer.traceId, corrected: "Something else" });
    expect(again.status).toBe(409);
    expect((await json<{ error: { message: string } }>(again)).error.message).toMatch(
      /PATCH \/v1\/annotations\//,
    );
    expect(
      (
        await json<{ itemCount: number }>(
          await platform.fetch(`/v1/eval/datasets/${made.evalItem?.datasetId}`),
        )
      ).itemCount,
    ).toBe(1);
    // Later annotations of the agent go to the same dataset.
    const second = await json<AnnotationView>(
      await annotate({
        traceId: (await ask(agents.hr, "Where do I submit expense claims?")).traceId,
        corrected: "In the finance portal.",
      }),
    );
    expect(second.evalItem?.datasetId).toBe(made.evalItem?.datasetId);
  });

  it("puts the item in a dataset the editor names, and writes nothing when that dataset does not exist", async () => {
    const dataset = await json<{ id: string }>(
      await platform.fetch("/v1/eval/datasets", { method: "POST", json: { name: "Golden HR" } }),
    );
    const answer = await ask(agents.hr, "How many unused days can be carried over?");
    const missing = await annotate({
      traceId: answer.traceId,
      corrected: "Five.",
      datasetId: "no-such-dataset",
    });
    expect(missing.status).toBe(404);
    expect(await platform.deps.store.get(`tenants/acme/annotations/${answer.traceId}`)).toBeNull();
    const made = await json<AnnotationView>(
      await annotate({ traceId: answer.traceId, corrected: "Five.", datasetId: dataset.id }),
    );
    expect(made.evalItem?.datasetId).toBe(dataset.id);
  });

  it("refuses other roles, another tenant's trace, a failed turn and malformed input, writing nothing", async () => {
    const answer = await ask(agents.hr, "Which expenses need a receipt?");
    const before = await count("tenants/acme/annotations");
    const globexAnswer = await ask(agents.globex, "Hello?", platform.keys.otherTenantOwner);
    const refusals: [Response, number, RegExp?][] = [
      [await annotate({ traceId: answer.traceId, corrected }, platform.keys.viewer), 403],
      [await annotate({ traceId: globexAnswer.traceId, corrected }), 404],
      [await annotate({ traceId: answer.traceId, corrected }, platform.keys.otherTenantOwner), 404],
      [await annotate({ traceId: "no-such-trace", corrected }), 404],
      [await annotate({ traceId: answer.traceId, corrected: "   " }), 400, /corrected must not be empty/],
      [
        await annotate({ traceId: answer.traceId, corrected: "x".repeat(8001) }),
        400,
        /corrected is at most 8,000 characters/,
      ],
      [
        await annotate({ traceId: answer.traceId, corrected, note: "n".repeat(2001) }),
        400,
        /note is at most 2,000/,
      ],
      [
        await annotate({ traceId: answer.traceId, corrected, serveAsReply: "yes" }),
        400,
        /serveAsReply must be true or false/,
      ],
      [await annotate({ traceId: answer.traceId, corrected, agentId: agents.apiOnly }), 400],
      [await annotate({ traceId: "../../x", corrected }), 400],
    ];
    for (const [res, status, message] of refusals) {
      const text = await res.text();
      expect(res.status, text).toBe(status);
      if (message) expect(text).toMatch(message);
    }
    await platform.deps.store.update(tracePath("acme", answer.traceId), { status: "failed" });
    const failed = await annotate({ traceId: answer.traceId, corrected });
    expect(failed.status).toBe(400);
    expect(await failed.text()).toMatch(/failed: it has no answer to correct/);
    expect(await count("tenants/acme/annotations")).toBe(before);
    // Nor could globex see acme's annotations.
    const theirs = await json<{ annotations: unknown[] }>(
      await platform.fetch("/v1/annotations", { key: platform.keys.otherTenantOwner }),
    );
    expect(theirs.annotations).toEqual([]);
  });
});

describe("annotation replies", () => {
  let annotation: AnnotationView;
  const question = "How many vacation days do full-time employees get?";

  beforeAll(async () => {
    const answer = await ask(agents.apiOnly, question);
    const res = await annotate({ traceId: answer.traceId, corrected, serveAsReply: true });
    expect(res.status, await res.clone().text()).toBe(201);
    annotation = await json<AnnotationView>(res);
  });

  it("serves the correction for a near-identical question, with its provenance in the trace and explanation", async () => {
    const served = await ask(agents.apiOnly, "Hi, how many vacation days do full-time employees get?");
    expect(served.content).toBe(corrected);
    expect(served.citations).toEqual([]);
    expect(served.confidence).toBeNull();
    expect(served.explanation).toContain(`annotation ${annotation.id}`);
    expect(served.explanation).toContain(annotation.updatedBy);
    expect(served.explanation).toMatch(/no source was searched and no model was called/);
    const trace = await json<Record<string, unknown>>(await platform.fetch(`/v1/traces/${served.traceId}`));
    expect(trace).toMatchObject({
      status: "answered",
      abstained: false,
      annotationReply: {
        annotationId: annotation.id,
        similarity: 0.9,
        annotatedBy: annotation.updatedBy,
        annotatedAt: annotation.updatedAt,
      },
      retrieval: { queries: [], candidates: [] },
      generation: { steps: 0 },
    });
  });

  it("answers an eval run's item as production would, and the run's result names the annotation", async () => {
    const started = await platform.fetch("/v1/eval/runs", {
      method: "POST",
      json: {
        datasetId: annotation.evalItem?.datasetId,
        target: { agentId: agents.apiOnly, version: 1 },
      },
      key: platform.keys.editor,
    });
    expect(started.status, await started.clone().text()).toBe(202);
    const run = await json<{ id: string }>(started);
    await platform.host.runner.idle();
    const results = await json<{ results: { answer: string | null; annotationId: string | null }[] }>(
      await platform.fetch(`/v1/eval/runs/${run.id}/results`, { key: platform.keys.editor }),
    );
    expect(results.results).toHaveLength(1);
    expect(results.results[0]).toMatchObject({ answer: corrected, annotationId: annotation.id });
  });

  it("answers as usual a question that only looks alike, the same question to another agent, and another tenant", async () => {
    const other = await ask(agents.apiOnly, "How many vacation days do part-time employees get?");
    expect(other.content).not.toBe(corrected);
    const elsewhere = await ask(agents.hr, question);
    expect(elsewhere.content).not.toBe(corrected);
    const trace = await json<Record<string, unknown>>(
      await platform.fetch(`/v1/traces/${elsewhere.traceId}`),
    );
    expect(trace).not.toHaveProperty("annotationReply");
    const globex = await ask(agents.globex, question, platform.keys.otherTenantOwner);
    expect(globex.content).not.toBe(corrected);
  });

  it("follows a change or a deletion from the next turn", async () => {
    const patch = (body: unknown) =>
      platform.fetch(`/v1/annotations/${annotation.id}`, {
        method: "PATCH",
        json: body,
        key: platform.keys.editor,
      });
    const changed = await patch({ corrected: `${corrected} Ask HR for the exact count.` });
    expect(changed.status).toBe(200);
    expect((await ask(agents.apiOnly, question)).content).toBe(`${corrected} Ask HR for the exact count.`);
    expect((await patch({ serveAsReply: false })).status).toBe(200);
    expect((await ask(agents.apiOnly, question)).content).not.toContain("Ask HR for the exact count");
    expect((await patch({})).status).toBe(400);
    expect((await patch({ serveAsReply: true })).status).toBe(200);
    expect((await ask(agents.apiOnly, question)).content).toContain("Ask HR for the exact count");
    const removed = await platform.fetch(`/v1/annotations/${annotation.id}`, {
      method: "DELETE",
      key: platform.keys.editor,
    });
    expect(removed.status).toBe(204);
    expect((await ask(agents.apiOnly, question)).content).not.toContain("Ask HR for the exact count");
    expect((await platform.fetch(`/v1/annotations/${annotation.id}`)).status).toBe(404);
    // Its eval item stays where it was.
    const item = await platform.fetch(
      `/v1/eval/datasets/${annotation.evalItem?.datasetId}/items/${annotation.evalItem?.itemId}`,
    );
    expect(item.status).toBe(200);
  });
});

describe("reading annotations", () => {
  it("lists them newest first, by agent, a page at a time, for editors only", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await platform.fetch(
        `/v1/annotations?agentId=${agents.hr}&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(res.status).toBe(200);
      const page = await json<{ annotations: AnnotationView[]; nextCursor: string | null }>(res);
      expect(page.annotations.every((a) => a.agentId === agents.hr)).toBe(true);
      seen.push(...page.annotations.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await platform.fetch("/v1/annotations", { key: platform.keys.viewer })).status).toBe(403);
    expect(
      (await platform.fetch(`/v1/annotations/${seen[0]}`, { key: platform.keys.otherTenantOwner })).status,
    ).toBe(404);
    expect((await platform.fetch("/v1/annotations?cursor=no-such")).status).toBe(400);
    expect((await platform.fetch("/v1/annotations?limit=500")).status).toBe(400);
  });
});
