import { BadRequestException } from '@nestjs/common';
import type { JobHistoryFilters } from './job-history.repository';

/** Page size of `GET /api/jobs` without `limit`, and the most one page may hold. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const PARAMETERS = new Set(['status', 'input_type', 'since', 'until', 'limit', 'cursor']);
const STATUSES = new Set(['completed', 'failed']);
const INPUT_TYPES = new Set(['text', 'url']);
/** A date (UTC midnight) or a date-time, ISO 8601; a date-time without an offset is read as UTC. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** `GET /api/jobs` parameters, validated. */
export interface JobHistoryQuery {
  readonly filters: JobHistoryFilters;
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * Validates the query string strictly: an unknown parameter, a repeated one, a bad value or a range that ends before
 * it starts answers 400 naming the parameter, so a typo (`statuss=failed`) never silently returns everything.
 */
export function parseJobHistoryQuery(raw: Record<string, unknown>): JobHistoryQuery {
  for (const name of Object.keys(raw)) {
    if (!PARAMETERS.has(name)) {
      throw new BadRequestException(
        `unknown query parameter ${name}; allowed: ${[...PARAMETERS].join(', ')}`,
      );
    }
  }
  const value = (name: string): string | undefined => {
    const given = raw[name];
    if (given === undefined) return undefined;
    if (typeof given !== 'string') throw new BadRequestException(`${name} must be given once`);
    return given;
  };
  const status = value('status');
  if (status !== undefined && !STATUSES.has(status)) {
    throw new BadRequestException('status must be completed or failed');
  }
  const inputType = value('input_type');
  if (inputType !== undefined && !INPUT_TYPES.has(inputType)) {
    throw new BadRequestException('input_type must be text or url');
  }
  const since = parseTimestamp('since', value('since'));
  const until = parseTimestamp('until', value('until'));
  if (since && until && since.getTime() >= until.getTime()) {
    throw new BadRequestException('since must be before until');
  }
  const limitText = value('limit');
  const limit = limitText === undefined ? DEFAULT_PAGE_SIZE : Number(limitText);
  if (limitText !== undefined && (!/^\d{1,4}$/.test(limitText) || limit < 1 || limit > MAX_PAGE_SIZE)) {
    throw new BadRequestException(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const cursor = value('cursor');
  if (cursor !== undefined && cursor.length === 0) throw new BadRequestException('cursor must not be empty');
  return {
    filters: {
      status: status as JobHistoryFilters['status'],
      inputType: inputType as JobHistoryFilters['inputType'],
      since,
      until,
    },
    limit,
    cursor,
  };
}

/** An ISO 8601 date or date-time as a Date, or a 400 naming the parameter. */
export function parseTimestamp(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const match = ISO_DATE_TIME.exec(text);
  const withZone = match && match[4] !== undefined && match[8] === undefined ? `${text}Z` : text;
  const date = match ? new Date(withZone) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !sameCalendarDate(date, match)) {
    throw new BadRequestException(
      `${name} must be an ISO 8601 date or date-time (e.g. 2026-01-31T12:00:00Z)`,
    );
  }
  return date;
}

/** Date.parse rolls 2026-02-30 over into March; a date that does not exist is refused instead. */
function sameCalendarDate(date: Date, match: RegExpExecArray | null): boolean {
  if (!match || match[8] !== undefined) return true;
  return (
    date.getUTCFullYear() === Number(match[1]) &&
    date.getUTCMonth() + 1 === Number(match[2]) &&
    date.getUTCDate() === Number(match[3])
  );
}
