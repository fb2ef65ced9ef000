import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from './duration';

describe('parseDurationSeconds', () => {
  it.each([
    ['2592000', 2_592_000],
    ['30d', 2_592_000],
    ['12h', 43_200],
    ['15m', 900],
    ['90s', 90],
    ['2w', 1_209_600],
    [' 7D ', 604_800],
    [3600, 3_600],
  ])('reads %j as %d seconds', (value, seconds) => {
    expect(parseDurationSeconds(value)).toBe(seconds);
  });

  it.each(['', '30 days', '1.5h', '-5', 'P30D', '12y', 1.5, null, undefined])('refuses %j', (value) => {
    expect(parseDurationSeconds(value)).toBeNull();
  });
});
