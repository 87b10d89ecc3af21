// The service's one clock: milliseconds since the epoch. Tests pass their own to move time (token expiry, the
// daily transfer limit, the seed's "last 90 days").
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC calendar date of an instant, "2025-03-14". Days in this service are UTC days. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isoDateTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Midnight UTC at the start of the day holding `ms`. */
export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Reads a calendar date "YYYY-MM-DD" to midnight UTC; undefined for anything else, including 2025-02-30. */
export function parseIsoDate(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) || isoDate(ms) !== text ? undefined : ms;
}
