/** Cloud Scheduler schedules as the local runtime computes them (UTC): unix cron and "every N minutes". */
import { describe, expect, it } from "vitest";
import { parseSchedule } from "./schedule.js";

const at = (iso: string): Date => new Date(iso);
/** The next `count` fire times after `start`. */
function fires(schedule: string, start: string, count: number): string[] {
  const s = parseSchedule(schedule);
  const out: string[] = [];
  let t = at(start);
  for (let i = 0; i < count; i++) {
    t = s.next(t);
    out.push(t.toISOString());
  }
  return out;
}

describe("parseSchedule: cron", () => {
  it("fires at the minute and hour given, strictly after the time asked", () => {
    expect(fires("30 9 * * *", "2026-01-01T00:00:00.000Z", 2)).toEqual([
      "2026-01-01T09:30:00.000Z",
      "2026-01-02T09:30:00.000Z",
    ]);
    // Exactly on a slot: the next one is a day later; a second into it, too.
    expect(fires("30 9 * * *", "2026-01-01T09:30:00.000Z", 1)).toEqual(["2026-01-02T09:30:00.000Z"]);
    expect(fires("30 9 * * *", "2026-01-01T09:29:59.999Z", 1)).toEqual(["2026-01-01T09:30:00.000Z"]);
  });

  it("'* * * * *' fires every minute, on the minute", () => {
    expect(fires("* * * * *", "2026-01-01T10:00:30.500Z", 3)).toEqual([
      "2026-01-01T10:01:00.000Z",
      "2026-01-01T10:02:00.000Z",
      "2026-01-01T10:03:00.000Z",
    ]);
  });

  it("steps: */15, a start with a step (5/20) and a range with a step (1-10/3)", () => {
    expect(fires("*/15 * * * *", "2026-01-01T10:01:00.000Z", 4)).toEqual([
      "2026-01-01T10:15:00.000Z",
      "2026-01-01T10:30:00.000Z",
      "2026-01-01T10:45:00.000Z",
      "2026-01-01T11:00:00.000Z",
    ]);
    expect(fires("5/20 0 * * *", "2026-01-01T00:00:00.000Z", 3)).toEqual([
      "2026-01-01T00:05:00.000Z",
      "2026-01-01T00:25:00.000Z",
      "2026-01-01T00:45:00.000Z",
    ]);
    expect(fires("0 1-10/3 * * *", "2026-01-01T00:00:00.000Z", 4)).toEqual([
      "2026-01-01T01:00:00.000Z",
      "2026-01-01T04:00:00.000Z",
      "2026-01-01T07:00:00.000Z",
      "2026-01-01T10:00:00.000Z",
    ]);
  });

  it("ranges and lists, also combined", () => {
    // Weekdays at 08:00 and 17:30 ... 2026-01-02 is a Friday.
    expect(fires("0,30 8,17 * * 1-5", "2026-01-02T08:10:00.000Z", 4)).toEqual([
      "2026-01-02T08:30:00.000Z",
      "2026-01-02T17:00:00.000Z",
      "2026-01-02T17:30:00.000Z",
      "2026-01-05T08:00:00.000Z",
    ]);
    expect(fires("0 0 1 1,4-5 *", "2026-01-15T00:00:00.000Z", 3)).toEqual([
      "2026-04-01T00:00:00.000Z",
      "2026-05-01T00:00:00.000Z",
      "2027-01-01T00:00:00.000Z",
    ]);
  });

  it("day of week counts Sunday as 0 or 7, also inside a range", () => {
    // 2026-01-04 is a Sunday.
    expect(fires("0 12 * * 0", "2026-01-01T00:00:00.000Z", 1)).toEqual(["2026-01-04T12:00:00.000Z"]);
    expect(fires("0 12 * * 7", "2026-01-01T00:00:00.000Z", 1)).toEqual(["2026-01-04T12:00:00.000Z"]);
    expect(fires("0 12 * * 5-7", "2026-01-01T00:00:00.000Z", 4)).toEqual([
      "2026-01-02T12:00:00.000Z",
      "2026-01-03T12:00:00.000Z",
      "2026-01-04T12:00:00.000Z",
      "2026-01-09T12:00:00.000Z",
    ]);
  });

  it("day of month and day of week both restricted: either one matching is enough (cron's OR rule)", () => {
    // The 13th, or any Friday. 2026-02-13 is itself a Friday.
    expect(fires("0 0 13 * 5", "2026-02-01T00:00:00.000Z", 4)).toEqual([
      "2026-02-06T00:00:00.000Z",
      "2026-02-13T00:00:00.000Z",
      "2026-02-20T00:00:00.000Z",
      "2026-02-27T00:00:00.000Z",
    ]);
    expect(fires("0 0 15 * 1", "2026-03-01T00:00:00.000Z", 3)).toEqual([
      "2026-03-02T00:00:00.000Z",
      "2026-03-09T00:00:00.000Z",
      "2026-03-15T00:00:00.000Z",
    ]);
  });

  it("only one of the two restricted: both must match (the other is '*')", () => {
    expect(fires("0 0 15 * *", "2026-03-01T00:00:00.000Z", 2)).toEqual([
      "2026-03-15T00:00:00.000Z",
      "2026-04-15T00:00:00.000Z",
    ]);
    expect(fires("0 0 * * 1", "2026-03-01T00:00:00.000Z", 2)).toEqual([
      "2026-03-02T00:00:00.000Z",
      "2026-03-09T00:00:00.000Z",
    ]);
  });

  it("finds rare dates: the 29th of February of the next leap year", () => {
    expect(fires("0 6 29 2 *", "2026-01-01T00:00:00.000Z", 2)).toEqual([
      "2028-02-29T06:00:00.000Z",
      "2032-02-29T06:00:00.000Z",
    ]);
  });

  it("a schedule that never fires throws instead of looping forever", () => {
    const never = parseSchedule("0 0 30 2 *");
    expect(() => never.next(at("2026-01-01T00:00:00.000Z"))).toThrow(/never fires/);
    expect(() => parseSchedule("0 0 31 4,6,9,11 *").next(at("2026-01-01T00:00:00.000Z"))).toThrow(
      /never fires/,
    );
  });

  it("rejects malformed cron", () => {
    for (const bad of [
      "* * * *",
      "* * * * * *",
      "60 * * * *",
      "* 24 * * *",
      "* * 0 * *",
      "* * * 13 *",
      "* * * * 8",
      "5-1 * * * *",
      "*/0 * * * *",
      "1, * * * *",
      "a * * * *",
      "-1 * * * *",
      "",
    ]) {
      expect(() => parseSchedule(bad), bad).toThrow();
    }
  });
});

describe("parseSchedule: every N minutes|hours", () => {
  it("'every 5 minutes' fires on each five-minute boundary", () => {
    expect(fires("every 5 minutes", "2026-01-01T10:02:13.000Z", 3)).toEqual([
      "2026-01-01T10:05:00.000Z",
      "2026-01-01T10:10:00.000Z",
      "2026-01-01T10:15:00.000Z",
    ]);
    expect(fires("every 5 minutes", "2026-01-01T10:05:00.000Z", 1)).toEqual(["2026-01-01T10:10:00.000Z"]);
  });

  it("accepts the singular, hours and any letter case", () => {
    expect(fires("every 1 minute", "2026-01-01T10:00:59.000Z", 1)).toEqual(["2026-01-01T10:01:00.000Z"]);
    expect(fires("every 2 hours", "2026-01-01T09:30:00.000Z", 2)).toEqual([
      "2026-01-01T10:00:00.000Z",
      "2026-01-01T12:00:00.000Z",
    ]);
    expect(fires("Every 1 Hour", "2026-01-01T09:30:00.000Z", 1)).toEqual(["2026-01-01T10:00:00.000Z"]);
  });

  it("rejects zero and forms it does not know", () => {
    for (const bad of [
      "every 0 minutes",
      "every minutes",
      "every 5 seconds",
      "every day 09:00",
      "every -5 minutes",
    ]) {
      expect(() => parseSchedule(bad), bad).toThrow();
    }
  });
});
