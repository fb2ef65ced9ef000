const DAY_MS = 86_400_000;

/**
 * `AI_DAILY_BUDGET_USD`: how much remote AI may cost per UTC day. Only the rule lives here; where today's spend is
 * kept and what jobs do once the budget is spent belongs to the queue. Unset means no limit; 0 is a real budget
 * (no remote calls at all).
 */
export class DailyBudget {
  constructor(readonly limitUsd: number | undefined) {
    if (limitUsd !== undefined && !(Number.isFinite(limitUsd) && limitUsd >= 0)) {
      throw new Error(`a daily budget must be a number >= 0, got ${limitUsd}`);
    }
  }

  get limited(): boolean {
    return this.limitUsd !== undefined;
  }

  /** True once `spentUsd` (today's spend so far) has reached the budget: no new remote call should start. */
  isReached(spentUsd: number): boolean {
    return this.limitUsd !== undefined && spentUsd >= this.limitUsd;
  }

  /** What is left today (never negative); Infinity without a budget. */
  remainingUsd(spentUsd: number): number {
    return this.limitUsd === undefined ? Infinity : Math.max(0, this.limitUsd - spentUsd);
  }

  /** The UTC day a spend belongs to, `YYYY-MM-DD` (a key suffix for today's spend). */
  static dayOf(now: Date = new Date()): string {
    return now.toISOString().slice(0, 10);
  }

  /** Milliseconds until the next UTC midnight, when a spent budget starts again (at least 1). */
  static msUntilNextDay(now: Date = new Date()): number {
    const time = now.getTime();
    return Math.max(1, Math.floor(time / DAY_MS + 1) * DAY_MS - time);
  }
}
