import { describe, expect, it } from 'vitest';
import { DailyBudget } from './daily-budget';

describe('DailyBudget', () => {
  it('is reached once the spend meets the limit; a limit of 0 allows nothing; no limit never', () => {
    const budget = new DailyBudget(1.5);
    expect(budget.isReached(1.49)).toBe(false);
    expect(budget.isReached(1.5)).toBe(true);
    expect(budget.remainingUsd(1.2)).toBeCloseTo(0.3, 12);
    expect(budget.remainingUsd(2)).toBe(0);
    expect(new DailyBudget(0).isReached(0)).toBe(true);
    expect(new DailyBudget(undefined).isReached(1e9)).toBe(false);
    expect(new DailyBudget(undefined).limited).toBe(false);
    expect(() => new DailyBudget(-1)).toThrow();
  });

  it('counts spend per UTC day and knows when the next one starts', () => {
    const lateEvening = new Date('2026-12-01T23:59:59.500Z');
    expect(DailyBudget.dayOf(lateEvening)).toBe('2026-12-01');
    expect(DailyBudget.msUntilNextDay(lateEvening)).toBe(500);
    expect(DailyBudget.msUntilNextDay(new Date('2026-12-02T00:00:00.000Z'))).toBe(86_400_000);
  });
});
