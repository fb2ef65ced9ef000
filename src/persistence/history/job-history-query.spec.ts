import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_SIZE, parseJobHistoryQuery, parseTimestamp } from './job-history-query';

describe('parseJobHistoryQuery', () => {
  it('reads every parameter', () => {
    expect(
      parseJobHistoryQuery({
        status: 'failed',
        input_type: 'url',
        since: '2026-01-01',
        until: '2026-01-02T12:30:00+02:00',
        limit: '100',
        cursor: 'c.s',
      }),
    ).toEqual({
      filters: {
        status: 'failed',
        inputType: 'url',
        since: new Date('2026-01-01T00:00:00Z'),
        until: new Date('2026-01-02T10:30:00Z'),
      },
      limit: 100,
      cursor: 'c.s',
    });
  });

  it('defaults to the newest page of every job', () => {
    expect(parseJobHistoryQuery({})).toEqual({ filters: {}, limit: DEFAULT_PAGE_SIZE, cursor: undefined });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '1e2' }, 'limit'],
    [{ status: 'pending' }, 'status'],
    [{ input_type: 'TEXT' }, 'input_type'],
    [{ since: '2026-02-30' }, 'since'],
    [{ until: 'tomorrow' }, 'until'],
    [{ since: '2026-01-02', until: '2026-01-02' }, 'since'],
    [{ page: '2' }, 'page'],
    [{ status: ['failed', 'completed'] }, 'status'],
  ])('refuses %j with a 400 naming %s', (query, name) => {
    expect(() => parseJobHistoryQuery(query)).toThrow(BadRequestException);
    expect(() => parseJobHistoryQuery(query)).toThrow(name);
  });
});

describe('parseTimestamp', () => {
  it('reads a date-time without an offset as UTC', () => {
    expect(parseTimestamp('since', '2026-05-01T08:00')).toEqual(new Date('2026-05-01T08:00:00Z'));
  });
});
