import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  berlinMemory,
  danaDetail,
  danaKey,
  danaListed,
  memoryTrace,
  vacationDrift,
  vacationFlag,
} from "../../test/narrativeFixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { memoriesWithHistory } from "../narrative";
import { parseTrace } from "./conversations";
import { parseMemory, restNarrative } from "./narrative";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const signal = () => new AbortController().signal;
const memoriesPath = `/v1/end-users/${danaKey}/memories`;

describe("end users over REST", () => {
  it("searches by reference and pages with the cursor the platform gave, as the signed-in person", async () => {
    const platform = stubPlatform({
      "GET /v1/end-users": (request) =>
        jsonResponse(
          request.query.get("cursor") === null
            ? { endUsers: [danaListed], nextCursor: "c2" }
            : { endUsers: [], nextCursor: null },
        ),
    });
    const first = await restNarrative.listEndUsers({ q: "  dana " }, null, signal());
    expect(first).toEqual({ endUsers: [danaListed], nextCursor: "c2" });
    await restNarrative.listEndUsers({ q: "dana" }, "c2", signal());
    await restNarrative.listEndUsers({}, null, signal());

    const sent = platform.sent("GET /v1/end-users").map((r) => Object.fromEntries(r.query));
    expect(sent).toEqual([{ q: "dana" }, { q: "dana", cursor: "c2" }, {}]);
    expect(platform.requests[0]?.authorization).toBe("Bearer als_ann_acme.signature");
  });

  it("refuses a listing whose counts are not counts, naming the field", async () => {
    stubPlatform({
      "GET /v1/end-users": () =>
        jsonResponse({ endUsers: [{ ...danaListed, memoryCount: -1 }], nextCursor: null }),
    });
    await expect(restNarrative.listEndUsers({}, null, signal())).rejects.toThrow(
      "GET /v1/end-users answered with something that is not a list of end users (endUsers[0].memoryCount).",
    );
  });

  it("reads an end user's memories, conversations and flags, the key escaped in the path", async () => {
    const platform = stubPlatform({ [`GET /v1/end-users/${danaKey}`]: () => jsonResponse(danaDetail) });
    const detail = await restNarrative.getEndUser(danaKey, signal());
    expect(detail.endUser.endUserRef).toBe("widget:dana");
    expect(detail.memories.map((m) => [m.id, m.status, m.method, m.pattern])).toEqual([
      ["mem_berlin", "active", "rules", "moved-to"],
      ["mem_name", "active", "rules", "my-name-is"],
      ["mem_french", "active", "model", "gpt-4o-mini"],
      ["mem_paris", "superseded", "rules", "live-in"],
    ]);
    expect(detail.memories[0]?.source).toEqual({
      conversationId: "cnv_dana3",
      messageSeq: 0,
      traceId: "trc_dana3",
      quote: "I moved to Berlin last month",
    });
    expect(detail.flags[0]?.earlier.claim).toMatch(/25 vacation days/);
    expect(detail.conversations.map((c) => c.id)).toEqual(["cnv_dana3", "cnv_dana1"]);
    expect(platform.requests).toHaveLength(1);

    await expect(restNarrative.getEndUser("../agents", signal())).rejects.toThrow();
    expect(platform.requests[1]?.path).toBe("/v1/end-users/..%2Fagents");
  });

  it("refuses a memory of a kind the studio cannot show", async () => {
    stubPlatform({
      [`GET /v1/end-users/${danaKey}`]: () =>
        jsonResponse({ ...danaDetail, memories: [{ ...berlinMemory, kind: "secret" }] }),
    });
    await expect(restNarrative.getEndUser(danaKey, signal())).rejects.toThrow(/memories\[0\]\.kind/);
  });

  it("adds a memory with only the fields that say something, trimmed", async () => {
    const platform = stubPlatform({
      [`POST ${memoriesPath}`]: () =>
        jsonResponse({ ...berlinMemory, id: "mem_new", method: "editor", pattern: "acc_ann" }, 201),
    });
    const created = await restNarrative.createMemory(danaKey, {
      agentId: null,
      kind: "preference",
      key: "  ",
      text: " You prefer email. ",
    });
    expect(created.id).toBe("mem_new");
    await restNarrative.createMemory(danaKey, {
      agentId: "agt_hr",
      kind: "fact",
      key: " city ",
      text: "You live in Berlin.",
      expiresAt: "2027-01-31T23:59:59.999Z",
    });
    expect(platform.sent(`POST ${memoriesPath}`).map((r) => r.body)).toEqual([
      { agentId: null, kind: "preference", text: "You prefer email." },
      {
        agentId: "agt_hr",
        kind: "fact",
        key: "city",
        text: "You live in Berlin.",
        expiresAt: "2027-01-31T23:59:59.999Z",
      },
    ]);
  });

  it("changes a memory with a PATCH of what changed (null clears an expiry), and deletes one", async () => {
    const path = `${memoriesPath}/mem_berlin`;
    const platform = stubPlatform({
      [`PATCH ${path}`]: () => jsonResponse(berlinMemory),
      [`DELETE ${path}`]: () => new Response(null, { status: 204 }),
    });
    await restNarrative.updateMemory(danaKey, "mem_berlin", {
      text: "You live in Hamburg. ",
      expiresAt: null,
    });
    await restNarrative.deleteMemory(danaKey, "mem_berlin");
    expect(platform.sent(`PATCH ${path}`)[0]?.body).toEqual({
      text: "You live in Hamburg.",
      expiresAt: null,
    });
    expect(platform.sent(`DELETE ${path}`)).toHaveLength(1);
  });

  it("reports the platform's refusal with its field issues, for the form to show under the field", async () => {
    stubPlatform({
      [`PATCH ${memoriesPath}/mem_berlin`]: () =>
        errorResponse(400, "invalid-argument", "text: at most 500 characters", {
          issues: [{ path: "text", message: "Too long: at most 500 characters." }],
        }),
    });
    const failure = await restNarrative
      .updateMemory(danaKey, "mem_berlin", { text: "x".repeat(501) })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({
      status: 400,
      issues: [{ path: "text", message: "Too long: at most 500 characters." }],
    });
  });

  it("marks a consistency flag reviewed", async () => {
    const path = `/v1/end-users/${danaKey}/flags/cfl_vacation`;
    const platform = stubPlatform({
      [`PATCH ${path}`]: () =>
        jsonResponse({
          ...vacationFlag,
          status: "reviewed",
          reviewedBy: "acc_ann",
          reviewedAt: new Date().toISOString(),
        }),
    });
    const flag = await restNarrative.reviewConsistencyFlag(danaKey, "cfl_vacation", "reviewed");
    expect(flag.status).toBe("reviewed");
    expect(platform.sent(`PATCH ${path}`)[0]?.body).toEqual({ status: "reviewed" });
  });
});

describe("memories and their history", () => {
  it("puts each superseded memory under the active one that replaced it, and keeps orphans apart", () => {
    const orphan = { ...berlinMemory, id: "mem_old", status: "superseded" as const, supersedes: null };
    const memories = [...danaDetail.memories, orphan].map(parseMemory);
    const { active, unlinked } = memoriesWithHistory(memories);
    expect(active.map((a) => [a.memory.id, a.history.map((h) => h.id)])).toEqual([
      ["mem_berlin", ["mem_paris"]],
      ["mem_name", []],
      ["mem_french", []],
    ]);
    expect(unlinked.map((m) => m.id)).toEqual(["mem_old"]);
  });
});

describe("drift over REST", () => {
  it("filters by agent and status, pages by cursor, and reads both answers and the causes", async () => {
    const platform = stubPlatform({
      "GET /v1/drift": () => jsonResponse({ flags: [vacationDrift], nextCursor: null }),
    });
    const page = await restNarrative.listDriftFlags({ agentId: "agt_hr", status: "open" }, "c9", signal());
    expect(Object.fromEntries(platform.requests[0]?.query ?? [])).toEqual({
      agentId: "agt_hr",
      status: "open",
      cursor: "c9",
    });
    const [flag] = page.flags;
    expect(flag?.before.sources[0]?.version).toBe(1);
    expect(flag?.after.answer).toMatch(/20 vacation days/);
    expect(flag?.causes[0]?.document).toEqual({
      kbId: "kb_handbook",
      docId: "doc_handbook",
      docName: "employee-handbook.md",
      fromVersion: 1,
      toVersion: 2,
    });
    expect(page.nextCursor).toBeNull();
  });

  it("refuses a flag without its answers", async () => {
    const { after: _after, ...broken } = vacationDrift;
    stubPlatform({ "GET /v1/drift": () => jsonResponse({ flags: [broken], nextCursor: null }) });
    await expect(restNarrative.listDriftFlags({}, null, signal())).rejects.toThrow(/flags\[0\]\.after/);
  });

  it("reviews or dismisses with a trimmed note, and sends none when blank", async () => {
    const platform = stubPlatform({
      "PATCH /v1/drift/dft_vacation": (request) =>
        jsonResponse({ ...vacationDrift, ...(request.body as object) }),
    });
    await restNarrative.reviewDriftFlag("dft_vacation", {
      status: "reviewed",
      note: "  Handbook v2 is right. ",
    });
    await restNarrative.reviewDriftFlag("dft_vacation", { status: "dismissed", note: "   " });
    expect(platform.sent("PATCH /v1/drift/dft_vacation").map((r) => r.body)).toEqual([
      { status: "reviewed", note: "Handbook v2 is right." },
      { status: "dismissed" },
    ]);
  });
});

describe("a trace's memory section", () => {
  it("reads what the turn recalled, cited, learned, forgot and contradicted", () => {
    const trace = parseTrace(memoryTrace, "/v1/traces/trc_vacation");
    expect(trace.memory?.recalled).toBe(3);
    expect(trace.memory?.used.map((m) => [m.ref, m.cited])).toEqual([
      ["M1", true],
      ["M2", false],
    ]);
    expect(trace.memory?.written[0]?.supersedes).toBe("mem_paris");
    expect(trace.memory?.forgotten).toBe(1);
    expect(trace.memory?.contradictions[0]?.reason).toBe("states 20 where the earlier answer stated 25");
  });

  it("has none for a turn without long-term memory", () => {
    const { memory: _memory, ...plain } = memoryTrace;
    expect(parseTrace(plain, "/v1/traces/trc_vacation").memory).toBeUndefined();
  });
});
