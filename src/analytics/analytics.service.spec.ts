import { describe, expect, it } from 'vitest';
import { percentile } from './analytics.service';

describe('percentile (nearest rank)', () => {
  it('is 0 without samples', () => {
    expect(percentile([], 0.95)).toBe(0);
  });

  it('picks the nearest-rank value whatever the order of the samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 0.95)).toBe(95);
    expect(percentile(samples, 0.5)).toBe(50);
    expect(percentile([7], 0.95)).toBe(7);
  });
});
