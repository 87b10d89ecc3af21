import { describe, expect, it } from "vitest";
import { customerConversation, partnerConversation, playgroundConversation } from "../test/historyFixtures";
import { dayRange, mergeConversationPages, startOfLocalDay } from "./history";

describe("the history's filters", () => {
  it("asks for days from the first midnight to the midnight after the last day, in the reader's time zone", () => {
    expect(dayRange("2025-03-01", "2025-03-31")).toEqual({
      from: new Date(2025, 2, 1).toISOString(),
      to: new Date(2025, 3, 1).toISOString(),
    });
    // The last day of a year rolls over into the next.
    expect(dayRange(undefined, "2025-12-31")).toEqual({ to: new Date(2026, 0, 1).toISOString() });
    expect(dayRange(undefined, undefined)).toEqual({});
  });

  it("refuses what is not a day of the calendar", () => {
    expect(startOfLocalDay("2025-02-29")).toBeUndefined();
    expect(startOfLocalDay("2024-02-29")).toEqual(new Date(2024, 1, 29));
    expect(startOfLocalDay("yesterday")).toBeUndefined();
    expect(startOfLocalDay("2025-3-1")).toBeUndefined();
  });
});

describe("the list on screen", () => {
  const at = (minutesAgo: number) =>
    new Date(Date.UTC(2025, 2, 3, 12, 0) - minutesAgo * 60_000).toISOString();
  const a = { ...customerConversation, id: "cnv_a", updatedAt: at(1) };
  const b = { ...playgroundConversation, id: "cnv_b", updatedAt: at(2) };
  const c = { ...partnerConversation, id: "cnv_c", updatedAt: at(3) };
  const d = { ...customerConversation, id: "cnv_d", updatedAt: at(4) };

  it("keeps what was shown below the live page, most recent activity first, each conversation once", () => {
    const fresher = { ...c, updatedAt: at(0), messageCount: 8 };
    expect(mergeConversationPages([fresher, a], [a, b, c, d]).map((x) => [x.id, x.messageCount])).toEqual([
      ["cnv_c", 8],
      ["cnv_a", a.messageCount],
      ["cnv_b", b.messageCount],
      ["cnv_d", d.messageCount],
    ]);
  });

  it("orders conversations with the same last activity as the platform does, by id descending", () => {
    const tie = at(5);
    const listed = mergeConversationPages(
      [{ ...a, id: "cnv_x", updatedAt: tie }],
      [
        { ...a, id: "cnv_y", updatedAt: tie },
        { ...a, id: "cnv_w", updatedAt: tie },
      ],
    );
    expect(listed.map((x) => x.id)).toEqual(["cnv_y", "cnv_x", "cnv_w"]);
  });
});
