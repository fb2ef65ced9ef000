import { Module } from '@nestjs/common';
import { LocalSummarizer } from './local/local-summarizer';
import { SUMMARIZER } from './summarizer';

/** Provides the configured {@link Summarizer} under {@link SUMMARIZER}. */
@Module({
  providers: [{ provide: SUMMARIZER, useFactory: () => new LocalSummarizer() }],
  exports: [SUMMARIZER],
})
export class AiModule {}
