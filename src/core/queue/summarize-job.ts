import type { Job } from 'bullmq';
import type { TokenUsage } from '../../ai/summarizer';

export type InputType = 'text' | 'url';

/** Payload of a summarize job, shared by the producer (submit) and the processor (worker). */
export interface SummarizeJobData {
  readonly inputType: InputType;
  /** Normalized text, or the canonical URL for `url` inputs. */
  readonly input: string;
  /** Hash of the normalized input and the summarizer identity; the cache key the result is stored under. */
  readonly inputHash: string;
}

/** What a completed job returns and keeps (BullMQ `returnvalue`); the cache stores the same shape. */
export interface SummarizeJobResult {
  readonly summary: string;
  readonly tags: string[];
  readonly input_type: InputType;
  readonly provider: string;
  readonly model: string;
  readonly usage: TokenUsage | null;
  /** URL inputs only. */
  readonly source_url?: string;
  readonly final_url?: string;
  readonly title?: string | null;
  readonly fetched_at?: string;
}

export type SummarizeJob = Job<
  SummarizeJobData,
  SummarizeJobResult,
  typeof import('./queue.constants').SUMMARIZE_JOB
>;
