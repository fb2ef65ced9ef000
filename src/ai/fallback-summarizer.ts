import { Logger } from '@nestjs/common';
import { AiError, AiPermanentError, AiRateLimitedError, AiTransientError } from './ai-errors';
import { LocalSummarizer } from './local/local-summarizer';
import type { SummarizeRequest, Summarizer, SummarizerIdentity, Summary } from './summarizer';

/**
 * `AI_FALLBACK=local`: a remote summarizer that, when the remote call fails for good, answers with the local
 * summarizer instead of failing the job. "For good" means a permanent error on any attempt, or a transient one
 * on the job's final attempt (`request.finalAttempt`). Rate limits never fall back: the queue pauses and the job
 * keeps its attempts, so the remote provider answers later.
 *
 * The identity stays the remote one, so the fallback result lands under the remote cache key; the worker caches
 * it for `FALLBACK_CACHE_TTL` (it sees `result.fallback`), after which the remote provider gets another chance.
 */
export class FallbackSummarizer implements Summarizer {
  private readonly logger = new Logger(FallbackSummarizer.name);

  constructor(
    private readonly remote: Summarizer,
    private readonly local: Summarizer = new LocalSummarizer(),
  ) {}

  get identity(): SummarizerIdentity {
    return this.remote.identity;
  }

  async summarize(request: SummarizeRequest): Promise<Summary> {
    try {
      return await this.remote.summarize(request);
    } catch (error) {
      if (!FallbackSummarizer.shouldFallBack(error, request.finalAttempt ?? false)) throw error;
      return this.summarizeWithFallback(request, error);
    }
  }

  /** Whether a remote failure should be answered by the fallback (static so its rule can be tested on its own). */
  static shouldFallBack(error: unknown, finalAttempt: boolean): boolean {
    if (error instanceof AiRateLimitedError) return false;
    // Shutdown or job cancellation: the job is picked up again, there is nothing to replace.
    if (error instanceof AiTransientError && error.reason === 'aborted') return false;
    if (error instanceof AiPermanentError) return true;
    return finalAttempt;
  }

  /** Summarizes locally and marks the result as the fallback's, with why and what the remote attempt cost. */
  async summarizeWithFallback(request: SummarizeRequest, cause: unknown): Promise<Summary> {
    const reason = cause instanceof Error ? cause.message : String(cause);
    this.logger.warn(`${this.remote.identity.provider} failed, summarizing locally instead: ${reason}`);
    const result = await this.local.summarize({
      text: request.text,
      title: request.title,
      signal: request.signal,
    });
    return {
      summary: result.summary,
      tags: result.tags,
      usage: result.usage,
      costUsd: result.costUsd,
      producedBy: this.local.identity,
      fallback: {
        reason,
        remoteCalls: cause instanceof AiError ? cause.calls : 0,
        remoteUsage: cause instanceof AiError ? cause.usage : undefined,
        remoteCostUsd: cause instanceof AiError ? cause.costUsd : undefined,
      },
    };
  }
}
