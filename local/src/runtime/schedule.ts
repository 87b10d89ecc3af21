/**
 * Cloud Scheduler schedules for the local runtime: unix cron (`*\/5 * * * *`, ranges, lists, steps) and
 * the App Engine form `every N minutes|hours`. Times are computed in UTC (the local runtime does not
 * load time-zone data; a schedule with another `timeZone` fires at the same wall-clock fields in UTC).
 */

export interface Schedule {
  /** The first fire time strictly after `after`. */
  next(after: Date): Date;
}

function field(spec: string, min: number, max: number): Set<number> {
  const values = new Set<number>();
  for (const part of spec.split(",")) {
    if (!/^(\*|\d+(-\d+)?)(\/\d+)?$/.test(part)) throw new Error(`Invalid cron field "${spec}"`);
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`Invalid step in "${spec}"`);
    let lo: number;
    let hi: number;
    if (range === "*") {
      lo = min;
      hi = max;
    } else if (range?.includes("-")) {
      [lo, hi] = range.split("-").map(Number) as [number, number];
    } else {
      lo = Number(range);
      hi = stepText === undefined ? lo : max;
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi > max || lo > hi) {
      throw new Error(`Invalid cron field "${spec}" (allowed ${min}-${max})`);
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return values;
}

export function parseSchedule(text: string): Schedule {
  const every = /^every\s+(\d+)\s+(minute|minutes|hour|hours)$/i.exec(text.trim());
  if (every) {
    const ms =
      Number(every[1]) * ((every[2] as string).toLowerCase().startsWith("hour") ? 3_600_000 : 60_000);
    if (ms <= 0) throw new Error(`Invalid schedule "${text}"`);
    return { next: (after) => new Date(Math.floor(after.getTime() / ms) * ms + ms) };
  }
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new Error(`Unsupported schedule "${text}": use 5-field cron or "every N minutes"`);
  const [minutes, hours, days, months, weekdays] = [
    field(parts[0] as string, 0, 59),
    field(parts[1] as string, 0, 23),
    field(parts[2] as string, 1, 31),
    field(parts[3] as string, 1, 12),
    // Sunday is 0 or 7 (`5-7` is Friday to Sunday).
    new Set([...field(parts[4] as string, 0, 7)].map((d) => d % 7)),
  ];
  const dayRestricted = parts[2] !== "*";
  const weekdayRestricted = parts[4] !== "*";
  return {
    next(after) {
      const t = new Date(after.getTime());
      t.setUTCSeconds(0, 0);
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      // Four years hold every date there is: a schedule like "0 0 30 2 *" that matches none never fires.
      // A month, day or hour that cannot match is skipped whole.
      const limit = t.getTime() + 4 * 366 * 24 * 3_600_000;
      while (t.getTime() <= limit) {
        const dayOk =
          dayRestricted && weekdayRestricted
            ? days.has(t.getUTCDate()) || weekdays.has(t.getUTCDay()) // cron's OR rule
            : days.has(t.getUTCDate()) && weekdays.has(t.getUTCDay());
        if (!months.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!dayOk) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!hours.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        } else if (!minutes.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
        } else {
          return t;
        }
      }
      throw new Error(`Schedule "${text}" never fires`);
    },
  };
}
