import { UnrecoverableError } from 'bullmq';
import { AiPermanentError } from '../ai/ai-errors';
import { ContentFetchError } from '../content/content-errors';
import { CpuBudgetExceededError } from '../cpu/cpu-pool';

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
