import type { Clock } from "./ports.js";

export const systemClock: Clock = {
  now: () => new Date(),
  nowIso: () => new Date().toISOString(),
};

/** A clock tests can move by hand. */
export function manualClock(
  start = new Date("2026-01-01T00:00:00.000Z"),
): Clock & { advance(ms: number): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    nowIso: () => new Date(t).toISOString(),
    advance(ms: number) {
      t += ms;
    },
  };
}
