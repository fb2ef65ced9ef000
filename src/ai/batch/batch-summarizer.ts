import type { AiError } from '../ai-errors';
import type { SummarizeRequest, SummarizerIdentity, Summary } from '../summarizer';

/** The outcome of one input of a batch: its own summary, or its own typed error. */
export type BatchItemResult =
  { readonly ok: true; readonly summary: Summary } | { readonly ok: false; readonly error: AiError };

/**
 * Summarizes several inputs with one remote call (plus a repair call for each input whose part of the answer is
 * missing or invalid). Implemented by the remote summarizers; {@link AiBatcher} gathers the inputs.
 */
export interface BatchSummarizer {
  readonly identity: SummarizerIdentity;
  /** Most inputs one call may carry; more is a programming error. */
  readonly maxBatchSize: number;
  /**
   * One result per request, in the same order; never rejects for a provider failure (that becomes every item's
   * error). `signal` cancels the shared call; each request's own signal cancels only its own repair call.
   */
  summarizeBatch(requests: ReadonlyArray<SummarizeRequest>, signal?: AbortSignal): Promise<BatchItemResult[]>;
}
