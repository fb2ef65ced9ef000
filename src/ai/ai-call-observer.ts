import type { AiProvider } from './ai-errors';
import type { TokenUsage } from './summarizer';

/**
 * How one HTTP call to a remote provider ended: `success` (an answer that passed validation; for a batched call,
 * every input's part of it), `invalid_output` (the provider answered, the answer failed validation: a repair call
 * follows or the job fails), or the class of the error it ended with.
 */
export type AiCallOutcome =
  'success' | 'invalid_output' | 'rate_limited' | 'transient_error' | 'permanent_error';

/** What is known when a call starts. */
export interface AiCallStart {
  readonly provider: AiProvider;
  /** The configured model (what the request names). */
  readonly model: string;
  /** `summarize`: one input; `repair`: the one repair call after an invalid answer; `batch`: one call for `inputs`. */
  readonly purpose: 'summarize' | 'repair' | 'batch';
  readonly inputs: number;
}

/** What is known when it ended. */
export interface AiCallEnd {
  readonly outcome: AiCallOutcome;
  /** Tokens as the provider reported them for this call (none when it failed before answering). */
  readonly usage?: TokenUsage;
  /** The model version the provider says answered. */
  readonly responseModel?: string;
  readonly error?: Error;
}

/** One call being watched; `end` is called exactly once. */
export interface AiCallWatch {
  end(result: AiCallEnd): void;
}

/**
 * Told about every HTTP call a remote summarizer makes, once per call (a batched call is one call, with its tokens as
 * reported). The port through which the operators' telemetry (Prometheus counters, the AI span of a trace) sees the
 * AI layer without the AI layer knowing either; implemented in src/metrics.
 */
export interface AiCallObserver {
  start(call: AiCallStart): AiCallWatch;
}

/** DI token of the process's {@link AiCallObserver} (optional: a summarizer works without one). */
export const AI_CALL_OBSERVER = Symbol('AI_CALL_OBSERVER');
