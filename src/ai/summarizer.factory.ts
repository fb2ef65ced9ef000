import { resolveAiProvider, type Environment } from '../core/config/environment';
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
  /**
   * Gather concurrent `summarize()` calls of a remote provider into batched calls ({@link AiBatcher}, per
   * `AI_BATCH_*`). Off by default: the worker enables it together with the batch consumer that lets enough jobs
   * wait at once (with `WORKER_COUNT` jobs in flight, batches hold at most `WORKER_COUNT` inputs).
   */
  readonly batching?: boolean;
}

/** Builds the configured {@link Summarizer}; throws at start-up, with the fix in the message, when config is incomplete. */
export class SummarizerFactory {
  static create(
    config: AiConfig,
    credentials?: AiCredentialsState,
    options: SummarizerFactoryOptions = {},
  ): Summarizer {
    // `AI_PROVIDER`, else `gemini` when a Gemini key is set, else `local`.
    const provider = resolveAiProvider(config);
    const common = {
      timeoutMs: config.AI_TIMEOUT_MS,
      maxInputTokens: config.AI_MAX_INPUT_TOKENS,
      credentials,
      prices: PriceTable.fromEnv(config.AI_PRICES),
    };
    let remote: GeminiSummarizer | OpenAiSummarizer;
    switch (provider) {
      case 'local':
        return new LocalSummarizer();
      case 'gemini':
        if (!config.GEMINI_API_KEY) {
          throw new Error(
            'AI_PROVIDER=gemini needs GEMINI_API_KEY; set it, or choose AI_PROVIDER=local or openai.',
          );
        }
        if (!config.GEMINI_MODEL.trim())
          throw new Error('AI_PROVIDER=gemini needs GEMINI_MODEL (e.g. gemini-3.5-flash-lite).');
        remote = new GeminiSummarizer({
          ...common,
          apiKey: config.GEMINI_API_KEY,
          model: config.GEMINI_MODEL.trim(),
          baseUrl: config.GEMINI_BASE_URL,
        });
        break;
      case 'openai':
        if (!config.OPENAI_BASE_URL) {
          throw new Error(
            'AI_PROVIDER=openai needs OPENAI_BASE_URL (e.g. https://api.openai.com/v1, or http://localhost:11434/v1 for Ollama).',
          );
        }
        if (!config.OPENAI_MODEL.trim())
          throw new Error('AI_PROVIDER=openai needs OPENAI_MODEL (e.g. llama3.1:8b).');
        remote = new OpenAiSummarizer({
          ...common,
          baseUrl: config.OPENAI_BASE_URL,
          apiKey: config.OPENAI_API_KEY,
          model: config.OPENAI_MODEL.trim(),
        });
        break;
    }
    // The batcher sits inside the fallback, so an input whose own part of a batch fails for good falls back alone.
    const batched =
      options.batching && config.AI_BATCH_SIZE > 1
        ? new AiBatcher(remote, {
            batchSize: config.AI_BATCH_SIZE,
            maxWaitMs: config.AI_BATCH_WAIT_MS,
            maxInputTokens: config.AI_BATCH_MAX_INPUT_TOKENS,
          })
        : remote;
    return config.AI_FALLBACK === 'local' ? new FallbackSummarizer(batched) : batched;
  }
}
