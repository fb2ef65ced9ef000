import type { Job } from 'bullmq';
import type { TokenUsage } from '../../ai/summarizer';

export type InputType = 'text' | 'url';

/** Payload of a summarize job, shared by the producer (submit) and the processor (worker). */
export interface SummarizeJobData {
  readonly inputType: InputType;
  /** The text to summarize (NFC, trimmed, line breaks kept), or the canonical URL for `url` inputs. */
  readonly input: string;
  /** Hash of the normalized input and the summarizer identity; the cache key the result is stored under. */
  readonly inputHash: string;
  /**
   * The API key owning the private cache scope the job was made in (src/access/cache-scope.ts); absent for the shared
   * scope. `inputHash` is already scoped; the worker scopes its content-level cache with it.
   */
  readonly scopeOwner?: string;
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
}

export type SummarizeJob = Job<
  SummarizeJobData,
  SummarizeJobResult,
  typeof import('./queue.constants').SUMMARIZE_JOB
>;
