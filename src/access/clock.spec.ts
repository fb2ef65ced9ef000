import { describe, expect, it } from 'vitest';
import { msUntilNextUtcDay, utcDay } from './clock';

describe('UTC days', () => {
  it('names the UTC day of an instant, whatever the local time zone', () => {
    expect(utcDay(Date.parse('2026-05-01T23:59:59.999Z'))).toBe('2026-05-01');
    expect(utcDay(Date.parse('2026-05-02T00:00:00.000Z'))).toBe('2026-05-02');
    expect(utcDay(Date.parse('2026-05-02T01:30:00+02:00'))).toBe('2026-05-01');
  });

  it('counts the milliseconds to the next midnight (a whole day at midnight)', () => {
    expect(msUntilNextUtcDay(Date.parse('2026-05-01T23:59:59.000Z'))).toBe(1_000);
    expect(msUntilNextUtcDay(Date.parse('2026-05-02T00:00:00.000Z'))).toBe(86_400_000);
    expect(msUntilNextUtcDay(Date.parse('2026-05-02T12:00:00.000Z'))).toBe(43_200_000);
  });
});
