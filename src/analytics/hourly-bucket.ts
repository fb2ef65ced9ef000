/**
 * Request counts per UTC hour, kept in Redis (`analytics:hourly:{YYYYMMDDHH}`) next to the running totals, for the
 * analytics over time: AnalyticsRepository.flush adds to the current hour in the same MULTI as the totals, and the
 * persistence module copies the hours into PostgreSQL.
 */

/** The counters kept per hour (a subset of the totals: the request side; jobs come from the job history). */
export const HOURLY_FIELDS = [
  'cache_hits',
  'cache_misses',
  'deduplicated',
  'archive_hits',
  'tokens_saved',
] as const;
export type HourlyField = (typeof HOURLY_FIELDS)[number];

/** An hour's hash outlives the hour by this much, so a copier that was down for a while still finds it. */
export const HOURLY_TTL_SECONDS = 3 * 86_400;

/** `YYYYMMDDHH` of the UTC hour `ms` falls in. */
export function hourBucket(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13).replace(/[-T]/g, '');
}

/** The start of the hour a `YYYYMMDDHH` bucket names. */
export function hourBucketStart(bucket: string): Date {
  const [, y, mo, d, h] = /^(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(bucket) ?? [];
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h)));
}
