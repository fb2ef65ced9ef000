import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DailyBudget } from '../ai/cost/daily-budget';
import { SUMMARIZER_IDENTITY } from '../ai/summarizer-identity';
import type { SummarizerIdentity } from '../ai/summarizer';
import { AnalyticsRepository } from '../analytics/analytics.repository';
import type { Environment } from '../core/config/environment';

/** Whether a job may start a remote AI call now, and if not, what it does instead. */
export type BudgetDecision =
  | { readonly kind: 'open' }
  /** AI_FALLBACK=local: the built-in summarizer stands in, marked as a fallback with this reason. */
  | { readonly kind: 'local'; readonly reason: string }
  /** No fallback: the job waits (delayed) until `untilMs`, the next UTC midnight, and says why. */
  | { readonly kind: 'wait'; readonly untilMs: number; readonly note: string };

const OPEN: BudgetDecision = { kind: 'open' };

/**
 * AI_DAILY_BUDGET_USD: once today's (UTC) remote AI spend, summed by every worker in the analytics, has reached the
 * budget, no new remote call starts. Calls already under way finish (their cost is counted), so a day may end a few
 * calls over. Read once per job that would call the provider (one GET); nothing is read without a budget or with the
 * built-in summarizer.
 */
@Injectable()
export class AiBudgetGate {
  private readonly budget: DailyBudget;
  private readonly remote: boolean;
  private readonly fallback: boolean;

  constructor(
    config: ConfigService<Environment, true>,
    private readonly analytics: AnalyticsRepository,
    @Inject(SUMMARIZER_IDENTITY) identity: SummarizerIdentity,
  ) {
    this.budget = new DailyBudget(config.get('AI_DAILY_BUDGET_USD', { infer: true }));
    this.remote = identity.provider !== 'local';
    this.fallback = config.get('AI_FALLBACK', { infer: true }) === 'local';
  }

  async check(now = new Date()): Promise<BudgetDecision> {
    if (!this.remote || !this.budget.limited) return OPEN;
    const spent = await this.analytics.aiSpendTodayUsd(now);
    if (!this.budget.isReached(spent)) return OPEN;
    const why = `the daily AI budget is spent (AI_DAILY_BUDGET_USD=${this.budget.limitUsd}; ${spent} USD today, UTC)`;
    if (this.fallback) return { kind: 'local', reason: `${why}: summarized by the built-in summarizer` };
    const untilMs = now.getTime() + DailyBudget.msUntilNextDay(now);
    return {
      kind: 'wait',
      untilMs,
      note: `Waiting: ${why}; the job runs after ${new Date(untilMs).toISOString()}, when the budget starts again.`,
    };
  }
}

/** Thrown by a job that must wait for tomorrow's budget; the processor delays the job (no attempt is used). */
export class AiBudgetWaitError extends Error {
  constructor(
    readonly untilMs: number,
    readonly note: string,
  ) {
    super(note);
    this.name = 'AiBudgetWaitError';
  }
}
