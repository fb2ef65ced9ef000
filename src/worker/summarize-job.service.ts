import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { UnrecoverableError } from 'bullmq';
import { SUMMARIZER, type Summarizer } from '../ai/summarizer';
import { SummaryCacheRepository } from '../cache/summary-cache.repository';
import type { Environment } from '../core/config/environment';
import type { SummarizeJobData, SummarizeJobResult } from '../core/queue/summarize-job';

/** Does one job's work: summarize the input and cache the result before the job is marked completed. */
@Injectable()
export class SummarizeJobService {
  private readonly cacheTtlSeconds: number;

  constructor(
    @Inject(SUMMARIZER) private readonly summarizer: Summarizer,
    private readonly cache: SummaryCacheRepository,
    config: ConfigService<Environment, true>,
  ) {
    this.cacheTtlSeconds = config.get('CACHE_TTL', { infer: true });
  }

  async run(data: SummarizeJobData, signal?: AbortSignal): Promise<SummarizeJobResult> {
    if (data.inputType === 'url') {
      throw new UnrecoverableError('summarizing URLs is not supported yet; submit the text instead');
    }
    const { summary, tags, usage } = await this.summarizer.summarize({ text: data.input, signal });
    const result: SummarizeJobResult = {
      summary,
      tags,
      input_type: data.inputType,
      provider: this.summarizer.identity.provider,
      model: this.summarizer.identity.model,
      usage: usage ?? null,
    };
    // Cached before the job completes: BullMQ drops the deduplication key on completion, and a submission
    // arriving after that must find the summary rather than start a second job.
    await this.cache.set(data.inputHash, result, this.cacheTtlSeconds);
    return result;
  }
}
