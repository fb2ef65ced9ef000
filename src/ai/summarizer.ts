/** Which summarizer produced a result; part of every cache key, so a model change never serves another model's answers. */
export interface SummarizerIdentity {
  /** `local` (built in, offline), `gemini` or `openai` (any OpenAI-compatible server). */
  readonly provider: 'local' | 'gemini' | 'openai';
  /** Model name as the provider knows it (`extractive-v1` for the local summarizer). */
  readonly model: string;
  /** Version of the prompt or method; bump it whenever output for the same input would change. */
  readonly promptVersion: string;
}

/** What a summarizer is asked to summarize: plain text, or the article text fetched for a URL. */
export interface SummarizeRequest {
  readonly text: string;
  /** Document title when known (fetched pages); helps ranking and tagging. */
  readonly title?: string;
  /** Cancels the call (worker shutdown, job timeout). */
  readonly signal?: AbortSignal;
  /**
   * The job's last attempt: a summarizer with a fallback uses it for a transient failure too, instead of letting
   * the job fail. Leave unset when unknown.
   */
  readonly finalAttempt?: boolean;
}

/** Token counts as the provider reported them; zero for the local summarizer. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
}

export interface Summary {
  /** 2–3 sentences of plain text. */
  readonly summary: string;
  /** 2–4 distinct, non-empty tags. */
  readonly tags: string[];
  readonly usage?: TokenUsage;
  /**
   * Remote API calls charged to this result (1, or 2 with a repair); absent for the local summarizer. A batched
   * call is charged to the first item of its batch only, so the calls of a batch's results add up to the HTTP
   * calls really made (see {@link BatchShare}).
   */
  readonly calls?: number;
  /** What {@link usage} cost in USD (`AI_PRICES`); 0 for the local summarizer; absent when unknown (no price, no usage). */
  readonly costUsd?: number;
  /** The model version the API reported it answered with (Gemini `modelVersion`, OpenAI `model`), e.g. a dated snapshot. */
  readonly modelVersion?: string;
  /** Set when the result came out of a batched call. */
  readonly batch?: BatchShare;
  /** Who really produced the result, when not the summarizer's own identity (the local fallback). */
  readonly producedBy?: SummarizerIdentity;
  /** Set when the local fallback produced the result after the remote provider failed for good. */
  readonly fallback?: FallbackInfo;
}

/**
 * How a batched call was shared. Its tokens (and so its cost) go to the items in proportion to their estimated input
 * tokens ({@link share}); the call itself is counted once, on the first item, so integer call counters stay exact.
 */
export interface BatchShare {
  /** Inputs summarized by the shared call. */
  readonly size: number;
  /** This item's fraction of the shared call's tokens (the shares of a batch add up to 1). */
  readonly share: number;
}

/** Why the fallback ran, and what the failed remote attempt still cost. */
export interface FallbackInfo {
  readonly reason: string;
  readonly remoteCalls: number;
  readonly remoteUsage?: TokenUsage;
  readonly remoteCostUsd?: number;
}

/** Implemented by every provider; the worker only ever talks to this interface. */
export interface Summarizer {
  readonly identity: SummarizerIdentity;
  summarize(request: SummarizeRequest): Promise<Summary>;
}

/** DI token for the configured {@link Summarizer}. */
export const SUMMARIZER = Symbol('SUMMARIZER');

/** DI token for the built-in summarizer of a worker process (the fallback, and what a spent AI budget falls back to). */
export const LOCAL_SUMMARIZER = Symbol('LOCAL_SUMMARIZER');
