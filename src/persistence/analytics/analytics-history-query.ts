import { BadRequestException } from '@nestjs/common';
import { parseTimestamp } from '../history/job-history-query';
import type { BucketSize } from './analytics-hourly.repository';

const PARAMETERS = new Set(['from', 'to', 'bucket']);
const BUCKET_MS: Record<BucketSize, number> = { hour: 3_600_000, day: 86_400_000 };
/** Most buckets one answer holds: a month of hours, a year of days. */
export const MAX_BUCKETS: Record<BucketSize, number> = { hour: 24 * 31, day: 366 };
const DEFAULT_SPAN_MS: Record<BucketSize, number> = { hour: 24 * 3_600_000, day: 30 * 86_400_000 };

/** `GET /api/analytics/history` parameters, validated, with `from` and `to` on bucket boundaries (UTC). */
export interface AnalyticsHistoryQuery {
  readonly bucket: BucketSize;
  readonly from: Date;
  readonly to: Date;
}

/**
 * Defaults: `bucket=hour`, `to` now, `from` a day (hours) or 30 days (days) before `to`. `from` is rounded down and
 * `to` up to whole buckets; more than {@link MAX_BUCKETS} buckets is a 400, as are unknown parameters.
 */
export function parseAnalyticsHistoryQuery(
  raw: Record<string, unknown>,
  now = Date.now(),
): AnalyticsHistoryQuery {
  for (const name of Object.keys(raw)) {
    if (!PARAMETERS.has(name)) {
      throw new BadRequestException(`unknown query parameter ${name}; allowed: from, to, bucket`);
    }
    if (typeof raw[name] !== 'string') throw new BadRequestException(`${name} must be given once`);
  }
  const bucketText = raw.bucket as string | undefined;
  if (bucketText !== undefined && bucketText !== 'hour' && bucketText !== 'day') {
    throw new BadRequestException('bucket must be hour or day');
  }
  const bucket: BucketSize = bucketText ?? 'hour';
  const size = BUCKET_MS[bucket];
  const toGiven = parseTimestamp('to', raw.to as string | undefined);
  const fromGiven = parseTimestamp('from', raw.from as string | undefined);
  const to = Math.ceil((toGiven?.getTime() ?? now) / size) * size;
  const from = Math.floor((fromGiven?.getTime() ?? to - DEFAULT_SPAN_MS[bucket]) / size) * size;
  if (from >= to) throw new BadRequestException('from must be before to');
  if ((to - from) / size > MAX_BUCKETS[bucket]) {
    throw new BadRequestException(
      `from..to spans more than ${MAX_BUCKETS[bucket]} ${bucket}s; narrow the range or use bucket=day`,
    );
  }
  return { bucket, from: new Date(from), to: new Date(to) };
}
