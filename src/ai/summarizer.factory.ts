import { resolveAiProvider, type Environment } from '../core/config/environment';
import type { AiCredentialsState } from './ai-credentials-state';
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
>;

/**
 * Builds the configured {@link Summarizer} from a validated configuration: `validateEnvironment` is the one place
 * that checks a provider has its settings (and says how to fix them), so this only assembles.
 */
export class SummarizerFactory {
  /**
   * @param local the built-in summarizer to use (the worker passes the one that runs in its CPU pool); in-line by
   *   default
   */
  static create(
    config: AiConfig,
    credentials?: AiCredentialsState,
    local: Summarizer = new LocalSummarizer(),
  ): Summarizer {
    const common = {
      timeoutMs: config.AI_TIMEOUT_MS,
      maxInputTokens: config.AI_MAX_INPUT_TOKENS,
      credentials,
    };
    let remote: Summarizer;
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
    return config.AI_FALLBACK === 'local' ? new FallbackSummarizer(remote, local) : remote;
  }
}

/** A setting `validateEnvironment` guarantees for the selected provider. */
function validated(value: string | undefined): string {
  if (value === undefined)
    throw new TypeError('SummarizerFactory needs a configuration checked by validateEnvironment');
  return value;
}
