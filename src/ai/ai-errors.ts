import type { SummarizerIdentity, TokenUsage } from './summarizer';

export type AiProvider = SummarizerIdentity['provider'];

interface AiErrorOptions {
  readonly provider: AiProvider;
  /** HTTP status of the provider's answer, when there was one. */
  readonly status?: number;
  /** Tokens the failed attempt still consumed (e.g. an answer that failed validation twice): they are billed. */
  readonly usage?: TokenUsage;
  /** HTTP calls this attempt made before failing (1, or 2 with the repair call); 0 when none reached the API. */
  readonly calls?: number;
  /** What {@link usage} cost in USD (`AI_PRICES`); undefined when the model has no price or no usage was reported. */
  readonly costUsd?: number;
  readonly cause?: unknown;
}

/** What an item of a batched call is charged: its share of the shared call plus its own repair call. */
export interface AiCharges {
  readonly calls: number;
  readonly usage: TokenUsage | undefined;
  readonly costUsd: number | undefined;
}

/**
 * Base of every error a remote summarizer throws. The worker decides by class: {@link AiRateLimitedError} pauses
 * the queue, {@link AiTransientError} retries with backoff, {@link AiPermanentError} fails the job at once.
 * Anything else escaping a summarizer is a bug and should be treated as transient.
 */
export abstract class AiError extends Error {
  abstract readonly kind: 'rate_limited' | 'transient' | 'permanent';
  readonly provider: AiProvider;
  readonly status: number | undefined;
  readonly usage: TokenUsage | undefined;
  readonly calls: number;
  readonly costUsd: number | undefined;

  protected constructor(message: string, options: AiErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.provider = options.provider;
    this.status = options.status;
    this.usage = options.usage;
    this.calls = options.calls ?? 1;
    this.costUsd = options.costUsd;
  }

  /**
   * The same error (same class, message, status, reason, retry delay, cause) charged differently: one failed
   * batched call fails every item of the batch, and each item reports only its own share of calls and tokens.
   * A copy of the own properties rather than a constructor call, because each subclass takes different options.
   */
  withCharges(charges: AiCharges): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(this));
    Object.defineProperties(copy, {
      calls: { value: charges.calls, enumerable: true },
      usage: { value: charges.usage, enumerable: true },
      costUsd: { value: charges.costUsd, enumerable: true },
    });
    return copy;
  }

  /** True when a later attempt may succeed (the job should be retried rather than failed). */
  get retryable(): boolean {
    return this.kind !== 'permanent';
  }
}

/**
 * 429 / RESOURCE_EXHAUSTED. Not the job's fault: the worker should pause the whole queue for {@link retryAfterMs}
 * (`queue.rateLimit`) and rethrow `Worker.RateLimitError()` so the job is not charged an attempt.
 */
export class AiRateLimitedError extends AiError {
  readonly kind = 'rate_limited' as const;
  /** Delay the API asked for (Gemini `RetryInfo.retryDelay`, `Retry-After`); undefined when it gave none. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: AiErrorOptions & { retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export type AiTransientReason = 'timeout' | 'server_error' | 'connection' | 'aborted';

/** 5xx, timeouts, connection failures, cancellation: retry with backoff. */
export class AiTransientError extends AiError {
  readonly kind = 'transient' as const;
  /** `aborted` means the caller's signal fired (shutdown, job timeout), not that the provider failed. */
  readonly reason: AiTransientReason;

  constructor(message: string, options: AiErrorOptions & { reason: AiTransientReason }) {
    super(message, options);
    this.reason = options.reason;
  }
}

export type AiPermanentReason =
  'bad_credentials' | 'bad_request' | 'unknown_model' | 'safety_block' | 'invalid_output' | 'quota_exhausted';

/** Retrying cannot help: fail the job at once (`UnrecoverableError`) with {@link message} as the reason. */
export class AiPermanentError extends AiError {
  readonly kind = 'permanent' as const;
  readonly reason: AiPermanentReason;

  constructor(message: string, options: AiErrorOptions & { reason: AiPermanentReason }) {
    super(message, options);
    this.reason = options.reason;
  }
}

/** 401/403 or a key the API calls invalid: also reported on `/health` through `AiCredentialsState`. */
export class AiCredentialsError extends AiPermanentError {
  constructor(message: string, options: AiErrorOptions) {
    super(message, { ...options, reason: 'bad_credentials' });
  }
}

/** The model's answer failed validation, and so did its answer to the one repair request. */
export class AiInvalidOutputError extends AiPermanentError {
  /** What was wrong with the last answer, e.g. "model returned 5 tags; expected 2–4". */
  readonly problems: readonly string[];
  /** The start of the last answer, for the logs; never shown as a summary. */
  readonly rawOutput: string;

  /** `context`: where the first answer went wrong when that is not obvious (an item of a batched call). */
  constructor(
    options: AiErrorOptions & { problems: readonly string[]; rawOutput: string; context?: string },
  ) {
    const context = options.context ? ` (${options.context})` : '';
    super(`Invalid model output after one repair attempt${context}: ${options.problems.join('; ')}`, {
      ...options,
      reason: 'invalid_output',
    });
    this.problems = options.problems;
    this.rawOutput = options.rawOutput.slice(0, 2000);
  }
}

/**
 * Parses a protobuf Duration as JSON renders it ("17s", "0.5s", "1.250s") or a bare number of seconds;
 * undefined when it is neither.
 */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && value >= 0 ? Math.ceil(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*s?\s*$/.exec(value);
  return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}

/**
 * Reads `retry-after-ms` (OpenAI's own), then `Retry-After` as seconds or an HTTP date. Undefined when absent
 * or unparsable, so the caller falls back to its own default pause.
 */
export function parseRetryAfterMs(
  headers: Headers | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const seconds = parseDurationMs(value);
  if (seconds !== undefined) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
