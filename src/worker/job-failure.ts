import { UnrecoverableError } from 'bullmq';
import { type AiError, AiPermanentError } from '../ai/ai-errors';
import { ContentFetchError } from '../content/content-errors';
import { CpuBudgetExceededError } from '../cpu/cpu-pool';
import type { FailedAttemptCharges } from '../jobs/summarize-job';

/**
 * What BullMQ should do with a failed attempt: failures no retry can fix (origin 404, blocked address, bad key,
 * unknown model, safety block, invalid output after the repair, a step past its time budget) become UnrecoverableError, so the job fails at once
 * with the reason; everything else is rethrown as it is and retried with backoff.
 */
export function toJobError(error: unknown): unknown {
  const permanent =
    error instanceof AiPermanentError ||
    error instanceof CpuBudgetExceededError ||
    (error instanceof ContentFetchError && !error.retryable);
  if (!permanent) return error;
  const unrecoverable = new UnrecoverableError((error as Error).message);
  unrecoverable.cause = error;
  return unrecoverable;
}

/**
 * A job's failed-attempt charges with one more failed attempt's added; the same object when it was billed nothing.
 * A model without a price leaves the cost unknown (null), and once one attempt's cost is unknown, the total is.
 */
export function withFailedAttempt(
  before: FailedAttemptCharges | undefined,
  error: Pick<AiError, 'usage' | 'costUsd'>,
): FailedAttemptCharges | undefined {
  if (error.usage === undefined && error.costUsd === undefined) return before;
  const costUsd =
    error.costUsd === undefined || before?.costUsd === null ? null : (before?.costUsd ?? 0) + error.costUsd;
  return { costUsd, totalTokens: (before?.totalTokens ?? 0) + (error.usage?.totalTokens ?? 0) };
}
