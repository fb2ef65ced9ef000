import type { Job, Queue } from 'bullmq';
import type { TokenUsage } from '../ai/summarizer';
import type { SUMMARIZE_JOB } from './queue.constants';

export type InputType = 'text' | 'url';

/** Payload of a summarize job, shared by the producer (submit) and the processor (worker). */
export interface SummarizeJobData {
  readonly inputType: InputType;
  /** The text to summarize (NFC, trimmed, line breaks kept), or the canonical URL for `url` inputs. */
  readonly input: string;
  /** The job key's hash (see job-key.ts): the cache key the result is stored under and the deduplication id. */
  readonly inputHash: string;
  /**
   * The API key owning the private cache scope the job was made in (cache-scope.ts); absent for the shared scope.
   * `inputHash` is already scoped; the worker scopes its content-level cache with it.
   */
  readonly scopeOwner?: string;
  /** The API key whose submission made the job (with API keys on), for the job history. */
  readonly apiKeyId?: string;
  /**
   * What this job's failed attempts spent at the AI provider (tokens of answers that failed validation, say), added
   * by the worker as each such attempt fails: a failed job still reports its cost and tokens.
   */
  readonly failedAttemptCharges?: FailedAttemptCharges;
}

export interface FailedAttemptCharges {
  /** Null when an attempt's model has no price (AI_PRICES): the total is unknown then, not 0. */
  readonly costUsd: number | null;
  readonly totalTokens: number;
}

/** How long each step of a job took, in ms (steps a job did not take are absent). */
export interface StageTimings {
  readonly fetching_ms?: number;
  readonly extracting_ms?: number;
  readonly summarizing_ms?: number;
}

/** What a completed job returns and keeps (BullMQ `returnvalue`); the cache stores the same shape. */
export interface SummarizeJobResult {
  readonly summary: string;
  readonly tags: string[];
  readonly input_type: InputType;
  /** Who made the summary: the configured provider, or `local` when the fallback stood in. */
  readonly provider: string;
  readonly model: string;
  /** Tokens the summary cost when it was made (null for the local summarizer); what a cache hit saves. */
  readonly usage: TokenUsage | null;
  /** True when the remote provider failed for good and the local summarizer stood in (cached for less time). */
  readonly fallback: boolean;
  /** URL inputs only. */
  readonly source_url?: string;
  readonly final_url?: string;
  readonly title?: string | null;
  readonly fetched_at?: string;
  /** URL inputs: the content-level cache key their article text hashed to. */
  readonly content_hash?: string;
  /**
   * What making this summary cost in USD (AI_PRICES; with a batched call, this input's share); 0 for the built-in
   * summarizer, null when unknown (a model without a price). Carried with the summary through the caches, like
   * `usage`: what a later hit of it saved. Absent on results made before costs were recorded.
   */
  readonly cost_usd?: number | null;
  /** The model version the provider reported (e.g. a dated snapshot behind an alias); null when none was reported. */
  readonly model_version?: string | null;
  /** The steps of the job that made this result (absent on results made before stages were recorded). */
  readonly stage_timings?: StageTimings;
}

export type SummarizeJob = Job<SummarizeJobData, SummarizeJobResult, typeof SUMMARIZE_JOB>;
export type SummarizeQueue = Queue<SummarizeJobData, SummarizeJobResult, typeof SUMMARIZE_JOB>;
