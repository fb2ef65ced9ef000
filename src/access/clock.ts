const DAY_MS = 86_400_000;

/**
 * The time the access rules run on (rate windows, the UTC day of the job quota). A provider rather than `Date.now()`
 * so tests can step through a minute or across midnight; SystemClock in the service.
 */
export abstract class Clock {
  /** Milliseconds since the epoch. */
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}

/** The last day named, with its bounds: utcDay runs on every request, and days change rarely. */
let lastDay = { start: 0, end: 0, name: '' };

/** The UTC day of an instant, `YYYY-MM-DD`: the job quota's period. */
export function utcDay(ms: number): string {
  if (ms >= lastDay.start && ms < lastDay.end) return lastDay.name;
  const start = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
  lastDay = { start, end: start + DAY_MS, name: new Date(start).toISOString().slice(0, 10) };
  return lastDay.name;
}

/** Milliseconds from an instant to the next UTC midnight, when the job quota starts over (1 to 86,400,000). */
export function msUntilNextUtcDay(ms: number): number {
  // Epoch time has no leap seconds: every UTC day is exactly DAY_MS long.
  return DAY_MS - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}
