import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../core/config/environment';
import { AiCredentialsState } from './ai-credentials-state';
import { SUMMARIZER } from './summarizer';
import { SummarizerFactory } from './summarizer.factory';

/**
 * Provides the configured {@link Summarizer} under {@link SUMMARIZER} (provider chosen by `AI_PROVIDER`, see
 * {@link SummarizerFactory}; start-up fails when that provider's settings are missing), and
 * {@link AiCredentialsState} for `/health`.
 */
@Module({
  providers: [
    AiCredentialsState,
    {
      provide: SUMMARIZER,
      inject: [ConfigService, AiCredentialsState],
      useFactory: (config: ConfigService<Environment, true>, credentials: AiCredentialsState) =>
        SummarizerFactory.create(
          {
            AI_PROVIDER: config.get('AI_PROVIDER', { infer: true }),
            GEMINI_API_KEY: config.get('GEMINI_API_KEY', { infer: true }),
            GEMINI_MODEL: config.get('GEMINI_MODEL', { infer: true }),
            GEMINI_BASE_URL: config.get('GEMINI_BASE_URL', { infer: true }),
            OPENAI_BASE_URL: config.get('OPENAI_BASE_URL', { infer: true }),
            OPENAI_API_KEY: config.get('OPENAI_API_KEY', { infer: true }),
            OPENAI_MODEL: config.get('OPENAI_MODEL', { infer: true }),
            AI_TIMEOUT_MS: config.get('AI_TIMEOUT_MS', { infer: true }),
            AI_MAX_INPUT_TOKENS: config.get('AI_MAX_INPUT_TOKENS', { infer: true }),
            AI_FALLBACK: config.get('AI_FALLBACK', { infer: true }),
            AI_PRICES: config.get('AI_PRICES', { infer: true }),
            AI_BATCH_SIZE: config.get('AI_BATCH_SIZE', { infer: true }),
            AI_BATCH_WAIT_MS: config.get('AI_BATCH_WAIT_MS', { infer: true }),
            AI_BATCH_MAX_INPUT_TOKENS: config.get('AI_BATCH_MAX_INPUT_TOKENS', { infer: true }),
          },
          credentials,
        ),
    },
  ],
  exports: [SUMMARIZER, AiCredentialsState],
})
export class AiModule {}
