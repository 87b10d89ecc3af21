/**
 * The alert state machine on its own: what each evaluation changes and what it says, minute by minute.
 */
import { describe, expect, it } from "vitest";
import { emptyState, holds, resolveAfterMinutes, stepAlert, type Step } from "./alerts.js";
import type { AlertState } from "./schema.js";

const t0 = Date.parse("2030-01-01T00:00:00.000Z");
const at = (minute: number) => new Date(t0 + minute * 60_000).toISOString();

/** Runs a rule over a sequence of condition values (one a minute); what was said, and the last state. */
function run(
  rule: { forMinutes: number; renotifyMinutes: number },
  conditions: readonly (boolean | null)[],
  start: AlertState = emptyState("r"),
  each?: (minute: number, state: AlertState) => AlertState,
): { said: { minute: number; say: Step["say"] }[]; state: AlertState; states: string[] } {
  let state = start;
  const said: { minute: number; say: Step["say"] }[] = [];
  const states: string[] = [];
  conditions.forEach((c, minute) => {
    if (each) state = each(minute, state);
    const step = stepAlert(rule, state, c, c === null ? null : c ? 1 : 0, at(minute));
    if (step.say) said.push({ minute, say: step.say });
    state = step.state;
    states.push(state.state);
  });
  return { said, state, states };
}

const rule = { forMinutes: 0, renotifyMinutes: 60 };

describe("the alert state machine", () => {
  it("fires once, and resolves once after the condition stayed clear", () => {
    const { said, state } = run(rule, [false, true, true, true, false, false, false, false]);
    expect(said).toEqual([
      { minute: 1, say: "fired" },
      { minute: 4 + resolveAfterMinutes, say: "resolved" },
    ]);
    expect(state.state).toBe("ok");
  });

  it("waits forMinutes before firing, and cancels quietly when the condition clears first", () => {
    const waited = run({ ...rule, forMinutes: 3 }, [true, true, true, true, true]);
    expect(waited.said).toEqual([{ minute: 3, say: "fired" }]);
    expect(waited.states).toEqual(["pending", "pending", "pending", "firing", "firing"]);
    const cancelled = run({ ...rule, forMinutes: 3 }, [true, true, false, false]);
    expect(cancelled.said).toEqual([]);
    expect(cancelled.state.state).toBe("ok");
  });

  it("does not notify again when the condition flaps back before resolving", () => {
    const { said, states } = run(rule, [true, false, true, false, true, false, false, false]);
    expect(said).toEqual([
      { minute: 0, say: "fired" },
      { minute: 7, say: "resolved" },
    ]);
    expect(states).toContain("resolving");
  });

  it("re-notifies on its schedule while firing, until acknowledged", () => {
    const long = Array.from({ length: 181 }, () => true);
    const plain = run({ ...rule, renotifyMinutes: 60 }, long);
    expect(plain.said.map((s) => [s.minute, s.say])).toEqual([
      [0, "fired"],
      [60, "renotified"],
      [120, "renotified"],
      [180, "renotified"],
    ]);
    const acknowledged = run({ ...rule, renotifyMinutes: 60 }, long, undefined, (minute, s) =>
      minute === 30 ? { ...s, acknowledgedBy: "u1", acknowledgedAt: at(30) } : s,
    );
    expect(acknowledged.said.map((s) => s.say)).toEqual(["fired"]);
  });

  it("keeps changing state while silenced, but says nothing", () => {
    const silenced = { ...emptyState("r"), silencedUntil: at(100) };
    const { said, state } = run(rule, [true, true, false, false, false], silenced);
    expect(said).toEqual([]);
    expect(state.state).toBe("ok");
  });

  it("starts nothing on too few samples, and does not stay firing on none", () => {
    expect(run(rule, [null, null, null]).states).toEqual(["ok", "ok", "ok"]);
    const { said, state } = run(rule, [true, null, null, null]);
    expect(said.map((s) => s.say)).toEqual(["fired", "resolved"]);
    expect(state.state).toBe("ok");
  });

  it("evaluates thresholds, changes and absence", () => {
    const threshold = { condition: { type: "threshold", op: ">", value: 0.05 } } as const;
    expect(holds(threshold, 0.06, null)).toBe(true);
    expect(holds(threshold, 0.05, null)).toBe(false);
    expect(holds(threshold, null, null)).toBeNull();
    const change = { condition: { type: "change", factor: 2 } } as const;
    expect(holds(change, 0.2, 0.1)).toBe(true);
    expect(holds(change, 0.19, 0.1)).toBe(false);
    expect(holds(change, 0.2, null)).toBeNull();
    expect(holds(change, 0.2, 0)).toBe(false);
    const absent = { condition: { type: "absent" } } as const;
    expect(holds(absent, 0, null)).toBe(true);
    expect(holds(absent, 3, null)).toBe(false);
  });
});
