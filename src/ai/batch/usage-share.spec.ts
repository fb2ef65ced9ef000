import { describe, expect, it } from 'vitest';
import { apportion, sharesOf, shareUsage } from './usage-share';

describe('usage shares of a batched call', () => {
  it('splits whole tokens in proportion to the weights, adding up exactly (largest remainder)', () => {
    expect(apportion(1000, [100, 200, 300])).toEqual([167, 333, 500]);
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(0, [5, 5])).toEqual([0, 0]);
    for (const total of [1, 7, 999, 12_345]) {
      const parts = apportion(total, [3, 17, 1, 40, 9]);
      expect(parts.reduce((sum, part) => sum + part, 0)).toBe(total);
    }
  });

  it('shares equally when no input has any weight', () => {
    expect(sharesOf([0, 0, 0, 0])).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(apportion(9, [0, 0, 0])).toEqual([3, 3, 3]);
  });

  it('keeps input + output = total per item when the call reports it so', () => {
    const usages = shareUsage({ inputTokens: 1000, outputTokens: 301, totalTokens: 1301 }, [1, 2, 3]);

    expect(usages.map((usage) => usage && usage.inputTokens + usage.outputTokens)).toEqual(
      usages.map((usage) => usage?.totalTokens),
    );
    expect(usages.reduce((sum, usage) => sum + (usage?.totalTokens ?? 0), 0)).toBe(1301);
  });

  it('splits an independent total on its own (cached or tool tokens), and gives nothing when nothing was reported', () => {
    const usages = shareUsage({ inputTokens: 10, outputTokens: 10, totalTokens: 31 }, [1, 1]);
    expect(usages.map((usage) => usage?.totalTokens)).toEqual([16, 15]);
    expect(shareUsage(undefined, [1, 2])).toEqual([undefined, undefined]);
  });
});
