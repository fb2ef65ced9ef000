import { resolveAiProvider, type Environment } from '../core/config/environment';
import type { AiCallObserver } from './ai-call-observer';
import type { AiCredentialsState } from './ai-credentials-state';
import { AiBatcher } from './batch/ai-batcher';
import { PriceTable } from './cost/price-table';
import { FallbackSummarizer } from './fallback-summarizer';
import { GeminiSummarizer } from './gemini/gemini-summarizer';
import { LocalSummarizer } from './local/local-summarizer';
import { OpenAiSummarizer } from './openai/openai-summarizer';
import type { Summarizer } from './summarizer';

export type AiConfig = Pick<
  Environment,
  | 'AI_PROVIDER'
  | 'GEMINI_API_KEY'
  | 'GEMINI_MODEL'
  | 'GEMINI_BASE_URL'
  | 'OPENAI_BASE_URL'
  | 'OPENAI_API_KEY'
  | 'OPENAI_MODEL'
  | 'AI_TIMEOUT_MS'
  | 'AI_MAX_INPUT_TOKENS'
  | 'AI_FALLBACK'
  | 'AI_PRICES'
  | 'AI_BATCH_SIZE'
  | 'AI_BATCH_WAIT_MS'
  | 'AI_BATCH_MAX_INPUT_TOKENS'
>;

export interface SummarizerFactoryOptions {
  /** The built-in summarizer to use (the worker passes the one that runs in its CPU pool); in-line by default. */
  readonly local?: Summarizer;
  /**
   * Gather concurrent `summarize()` calls of a remote provider into batched calls ({@link AiBatcher}, per
   * `AI_BATCH_*`). The worker turns it on, with enough jobs in flight to fill batches (WorkerModule).
   */
  readonly batching?: boolean;
  /** Told about every remote HTTP call (metrics and traces; see src/metrics). */
  readonly observer?: AiCallObserver;
}

/**
 * Builds the configured {@link Summarizer} from a validated configuration: `validateEnvironment` is the one place
 * that checks a provider has its settings (and says how to fix them), so this only assembles.
 */
export class SummarizerFactory {
  static create(
    config: AiConfig,
    credentials?: AiCredentialsState,
    { local = new LocalSummarizer(), batching = false, observer }: SummarizerFactoryOptions = {},
  ): Summarizer {
    const common = {
      timeoutMs: config.AI_TIMEOUT_MS,
      maxInputTokens: config.AI_MAX_INPUT_TOKENS,
      credentials,
      prices: PriceTable.fromEnv(config.AI_PRICES),
      observer,
    };
    let remote: GeminiSummarizer | OpenAiSummarizer;
    switch (resolveAiProvider(config)) {
      case 'local':
        return local;
      case 'gemini':
        remote = new GeminiSummarizer({
          ...common,
          apiKey: validated(config.GEMINI_API_KEY),
          model: config.GEMINI_MODEL.trim(),
          baseUrl: config.GEMINI_BASE_URL,
        });
        break;
      case 'openai':
        remote = new OpenAiSummarizer({
          ...common,
          baseUrl: validated(config.OPENAI_BASE_URL),
          apiKey: config.OPENAI_API_KEY,
          model: config.OPENAI_MODEL.trim(),
        });
        break;
    }
    // The batcher sits inside the fallback, so an input whose own part of a batch fails for good falls back alone.
    const batched =
      batching && config.AI_BATCH_SIZE > 1
        ? new AiBatcher(remote, {
            batchSize: config.AI_BATCH_SIZE,
            maxWaitMs: config.AI_BATCH_WAIT_MS,
            maxInputTokens: config.AI_BATCH_MAX_INPUT_TOKENS,
          })
        : remote;
    return config.AI_FALLBACK === 'local' ? new FallbackSummarizer(batched, local) : batched;
  }
}

/** A setting `validateEnvironment` guarantees for the selected provider. */
function validated(value: string | undefined): string {
  if (value === undefined)
    throw new TypeError('SummarizerFactory needs a configuration checked by validateEnvironment');
  return value;
}
