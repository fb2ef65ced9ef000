import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { scopedInputHash, scopeOfJob } from '../jobs/cache-scope';
import {
  LOCAL_SUMMARIZER,
  SUMMARIZER,
  type SummarizeRequest,
  type Summarizer,
  type Summary,
} from '../ai/summarizer';
import { type CacheEntry, SummaryCacheRepository } from '../cache/summary-cache.repository';
import { ContentFetcher } from '../content/content-fetcher';
import type { Environment } from '../core/config/environment';
import { JobKeys } from '../jobs/job-key';
import type { JobProgress } from '../jobs/job-status';
import type { StageTimings, SummarizeJobData, SummarizeJobResult } from '../jobs/summarize-job';
import { JobMetrics } from '../metrics/job.metrics';
import { AiBudgetGate, AiBudgetWaitError } from './ai-budget.gate';

/** A finished job's result and what it cost, for the analytics. */
export interface JobOutcome {
  readonly result: SummarizeJobResult;
  /** Remote AI calls made by this job (0 when the summary came from the content cache or the local summarizer). */
  readonly aiCalls: number;
  readonly tokensUsed: number;
  /** Tokens the content cache avoided (a URL whose article text was already summarized). */
  readonly tokensSaved: number;
  /** What this job's remote AI calls cost, in USD (0 when it made none). */
  readonly costUsd: number;
  /** What a cache inside the job avoided paying, in USD (the cost recorded with the summary it reused). */
  readonly costSavedUsd: number;
  /** What to cache before the job completes; the processor writes it (SummarizeProcessor.process). */
  readonly cacheEntries: readonly CacheEntry[];
}

export interface RunOptions {
  /** The job's last attempt: lets the fallback stand in for a transient failure too. */
  readonly finalAttempt: boolean;
  readonly signal?: AbortSignal;
  /** Told as each step starts (the job's progress, for clients following it). */
  readonly onStage?: (stage: JobProgress['stage']) => void;
}

/** Times the steps of one job run, telling `onStage` as each starts. */
class StageClock {
  private readonly timings: { -readonly [K in keyof StageTimings]: number } = {};
  private current: { stage: JobProgress['stage']; startedAt: number } | undefined;

  constructor(private readonly onStage?: (stage: JobProgress['stage']) => void) {}

  start(stage: JobProgress['stage']): void {
    this.stop();
    this.current = { stage, startedAt: performance.now() };
    this.onStage?.(stage);
  }

  stop(): StageTimings {
    if (this.current) {
      this.timings[`${this.current.stage}_ms`] = Math.round(performance.now() - this.current.startedAt);
      this.current = undefined;
    }
    return this.timings;
  }
}

/**
 * Does one job's work. Text: summarize and cache. URL: fetch the article, then look up its text in the content
 * cache (`summary:{content hash}`, shared with text submissions of the same text and with every other URL that
 * serves it), summarize only on a miss, and cache the URL's own entry too. What to cache is returned with the
 * outcome: it must be written before the job completes (BullMQ drops the deduplication key on completion, and a later
 * submission must find the summary then), which the processor arranges without a round trip of its own.
 */
@Injectable()
export class SummarizeJobService {
  private readonly cacheTtlSeconds: number;
  private readonly fallbackCacheTtlSeconds: number;

  constructor(
    @Inject(SUMMARIZER) private readonly summarizer: Summarizer,
    @Inject(LOCAL_SUMMARIZER) private readonly local: Summarizer,
    private readonly budget: AiBudgetGate,
    private readonly cache: SummaryCacheRepository,
    private readonly content: ContentFetcher,
    private readonly keys: JobKeys,
    config: ConfigService<Environment, true>,
    /** Timing hooks: smartcache_job_duration_seconds{stage} and a span per stage. */
    private readonly jobMetrics: JobMetrics,
  ) {
    this.cacheTtlSeconds = config.get('CACHE_TTL', { infer: true });
    this.fallbackCacheTtlSeconds = config.get('FALLBACK_CACHE_TTL', { infer: true });
  }

  async run(data: SummarizeJobData, options: RunOptions): Promise<JobOutcome> {
    // Already summarized: a job for the same input completed after this one was queued (see SubmitService). One AI
    // call per distinct input, whatever the interleaving.
    const done = await this.cache.get(data.inputHash);
    if (done) return { ...reused(done), cacheEntries: [] };
    const clock = new StageClock(options.onStage);
    if (data.inputType === 'text') {
      clock.start('summarizing');
      const outcome = await this.summarize(data.input, null, options);
      const result = { ...outcome.result, stage_timings: clock.stop() };
      return { ...outcome, result, cacheEntries: [this.entry(data.inputHash, result)] };
    }

    // Each step starts the job's stage (clients following it) and is timed for the metrics.
    const article = await this.content.fetchArticle(data.input, options.signal, (stage, run) => {
      clock.start(stage);
      return this.jobMetrics.timeStage(stage, run);
    });
    // In the job's cache scope: a private key's URL never reuses (or reveals) a summary made for anyone else.
    const contentHash = scopedInputHash(this.keys.ofArticle(article.text), scopeOfJob(data));
    const cached = await this.cache.get(contentHash);
    const cacheEntries: CacheEntry[] = [];
    let outcome: Omit<JobOutcome, 'cacheEntries'>;
    if (cached) {
      outcome = reused(cached);
    } else {
      clock.start('summarizing');
      outcome = await this.summarize(article.text, article.title, options);
      cacheEntries.push(this.entry(contentHash, outcome.result));
    }
    const result: SummarizeJobResult = {
      ...outcome.result,
      input_type: 'url',
      source_url: article.sourceUrl,
      final_url: article.finalUrl,
      title: article.title,
      fetched_at: article.fetchedAt,
      content_hash: contentHash,
      stage_timings: clock.stop(),
    };
    cacheEntries.push(this.entry(data.inputHash, result));
    return { ...outcome, result, cacheEntries };
  }

  private async summarize(
    text: string,
    title: string | null,
    options: RunOptions,
  ): Promise<Omit<JobOutcome, 'cacheEntries'>> {
    const summary: Summary = await this.jobMetrics.timeStage('summarizing', () =>
      this.summarizeWithinBudget({
        text,
        title: title ?? undefined,
        signal: options.signal,
        finalAttempt: options.finalAttempt,
      }),
    );
    const producedBy = summary.producedBy ?? this.summarizer.identity;
    return {
      result: {
        summary: summary.summary,
        tags: summary.tags,
        input_type: 'text',
        provider: producedBy.provider,
        model: producedBy.model,
        usage: summary.usage ?? null,
        fallback: summary.fallback !== undefined,
        cost_usd: summary.costUsd ?? null,
        model_version: summary.modelVersion ?? null,
      },
      aiCalls: (summary.calls ?? 0) + (summary.fallback?.remoteCalls ?? 0),
      tokensUsed: (summary.usage?.totalTokens ?? 0) + (summary.fallback?.remoteUsage?.totalTokens ?? 0),
      tokensSaved: 0,
      costUsd: (summary.costUsd ?? 0) + (summary.fallback?.remoteCostUsd ?? 0),
      costSavedUsd: 0,
    };
  }

  /**
   * The configured summarizer, unless today's AI budget is spent (AiBudgetGate): then the built-in summarizer stands
   * in (AI_FALLBACK=local; marked as a fallback, so it is cached briefly), or the job waits for tomorrow's budget.
   */
  private async summarizeWithinBudget(request: SummarizeRequest): Promise<Summary> {
    const decision = await this.budget.check();
    if (decision.kind === 'open') return this.summarizer.summarize(request);
    if (decision.kind === 'wait') throw new AiBudgetWaitError(decision.untilMs, decision.note);
    const local = await this.local.summarize({
      text: request.text,
      title: request.title,
      signal: request.signal,
    });
    return {
      ...local,
      producedBy: this.local.identity,
      fallback: { reason: decision.reason, remoteCalls: 0 },
    };
  }

  /** A fallback summary is cached for less time, so the real provider gets another chance sooner. */
  private entry(hash: string, result: SummarizeJobResult): CacheEntry {
    return {
      hash,
      result,
      ttlSeconds: result.fallback ? this.fallbackCacheTtlSeconds : this.cacheTtlSeconds,
    };
  }
}

/** The outcome of a job that reused a cached summary: no call made, the summary's recorded cost saved. */
function reused(cached: SummarizeJobResult): Omit<JobOutcome, 'cacheEntries'> {
  return {
    result: cached,
    aiCalls: 0,
    tokensUsed: 0,
    tokensSaved: cached.usage?.totalTokens ?? 0,
    costUsd: 0,
    costSavedUsd: cached.cost_usd ?? 0,
  };
}
