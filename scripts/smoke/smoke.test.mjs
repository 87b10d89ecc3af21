// The smoke flow's own logic: body shapes, the comparison of two runs, and how a failure or a step not run
// here carries over to the steps that need it. The flow itself runs against both modes in test:firebase.
import { describe, expect, it } from "vitest";
import { compareRuns } from "./compare.mjs";
import { runFlow, shapeOf, steps } from "./flow.mjs";

describe("shapeOf", () => {
  it("keeps names and types, never values, with keys in order", () => {
    expect(shapeOf({ b: 1, a: "x", c: null, d: true })).toEqual({
      a: "string",
      b: "number",
      c: "null",
      d: "boolean",
    });
  });

  it("describes an array by its distinct item shapes, however many items there are", () => {
    expect(shapeOf([{ id: "a" }, { id: "b" }, { id: "c" }])).toEqual([{ id: "string" }]);
    expect(shapeOf([])).toBe("[]");
    expect(shapeOf([1, "x", 2])).toEqual(["number", "string"]);
  });
});

const run = (outcomes, exchanges) => ({
  outcomes: outcomes.map(([name, result]) => ({ name, result })),
  exchanges: exchanges.map(([step, label, status, shape]) => ({ step, label, status, shape })),
});

describe("compareRuns", () => {
  const passed = [["health", "passed"]];

  it("finds nothing between runs that answered alike", () => {
    const a = run(passed, [["health", "health", 200, { status: "string" }]]);
    expect(compareRuns(a, a)).toMatchObject({ requests: 1, differences: [], known: [] });
  });

  it("reports a different status, a different body and a request made on one side only", () => {
    const a = run(passed, [
      ["health", "health", 200, { status: "string" }],
      ["health", "again", 200, {}],
    ]);
    const b = run(passed, [
      ["health", "health", 500, { status: "string" }],
      ["health", "again", 200, { extra: "number" }],
      ["health", "only here", 200, {}],
    ]);
    const { differences } = compareRuns(a, b);
    expect(differences).toHaveLength(3);
    expect(differences[0]).toContain("status 200 in Firebase mode, 500 in local mode");
    expect(differences[1]).toContain("the body differs");
    expect(differences[2]).toContain("made in local mode only");
  });

  it("allows a known difference, but only in the part it names", () => {
    const known = {
      "health|health": {
        reason: "each mode has its own checks",
        compare: ({ checks, ...rest }) => ({
          ...rest,
          checks: Object.keys(checks).filter((c) => c !== "writes"),
        }),
      },
    };
    const a = run(passed, [["health", "health", 200, { checks: { documents: {} }, mode: "string" }]]);
    const b = run(passed, [
      ["health", "health", 200, { checks: { documents: {}, writes: {} }, mode: "string" }],
    ]);
    expect(compareRuns(a, b, known)).toMatchObject({
      differences: [],
      known: ["health|health: each mode has its own checks"],
    });
    const c = run(passed, [
      ["health", "health", 200, { checks: { documents: {}, writes: {} }, mode: "number" }],
    ]);
    expect(compareRuns(a, c, known).differences).toHaveLength(1);
  });

  it("compares only the steps both runs passed", () => {
    const a = run(
      [
        ["health", "passed"],
        ["sign-up", "passed"],
      ],
      [["sign-up", "x", 201, {}]],
    );
    const b = run(
      [
        ["health", "passed"],
        ["sign-up", "failed"],
      ],
      [["sign-up", "x", 500, {}]],
    );
    expect(compareRuns(a, b)).toMatchObject({ requests: 0, differences: [] });
  });
});

describe("runFlow", () => {
  it("fails a step that fails, says why, and does not run the steps that need it", async () => {
    const accounts = {
      mode: "local",
      canVerifyEmail: true,
      signUpWithWorkspace: async () => {
        throw new Error("sign-up refused");
      },
      remove: async () => {},
      authorization: () => "Bearer x",
    };
    // Nothing listens on port 9 (discard): every request fails.
    const { outcomes } = await runFlow({
      api: "http://127.0.0.1:9",
      accounts,
      expectMode: "local",
      notRun: { "api-keys": "not here" },
      log: () => {},
    });
    expect(outcomes.map((o) => o.name)).toEqual(steps.map((s) => s.name));
    const byName = Object.fromEntries(outcomes.map((o) => [o.name, o]));
    expect(byName.health.result).toBe("failed");
    expect(byName["sign-up"]).toMatchObject({ result: "failed", reason: "sign-up refused" });
    expect(byName["knowledge-base"]).toMatchObject({ result: "not run", reason: "needs sign-up" });
    expect(byName["grounded-answer"]).toMatchObject({
      result: "not run",
      reason: "needs document-ingest, agent-publish",
    });
    expect(byName["api-keys"]).toMatchObject({ result: "not run", reason: "not here" });
    expect(outcomes.some((o) => o.result === "passed")).toBe(false);
  });

  it("leaves accepting an invitation out when the accounts cannot verify an address", async () => {
    const accounts = {
      mode: "firebase",
      canVerifyEmail: false,
      signUpWithWorkspace: async () => {
        throw new Error("no");
      },
      remove: async () => {},
      authorization: () => "Bearer x",
    };
    const { outcomes } = await runFlow({
      api: "http://127.0.0.1:9",
      accounts,
      expectMode: "firebase",
      log: () => {},
    });
    expect(outcomes.find((o) => o.name === "accept-invitation")).toMatchObject({
      result: "not run",
      reason: expect.stringContaining("verified email address"),
    });
  });
});
