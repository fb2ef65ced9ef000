import { Inject, Injectable, Logger } from '@nestjs/common';
import { SUMMARIZER, type Summarizer } from '../ai/summarizer';
import { ANALYTICS_FACTS } from '../analytics/analytics.interceptor';
import { hashInput } from '../cache/input-hasher';
import { SummaryCacheRepository } from '../cache/summary-cache.repository';
import type { SummarizeJobResult } from '../core/queue/summarize-job';
import { SummarizeJobProducer } from '../core/queue/summarize-job.producer';
import { toPublicJobStatus } from '../status/public-job-status';
import { parseInput, type ParsedInput } from './input-parser';
import type { SubmitHitResponseDto, SubmitResponse } from './submit-response.dto';

/** The request path: answer from the cache, or queue one job per distinct input. No AI here. */
@Injectable()
export class SubmitService {
  private readonly logger = new Logger(SubmitService.name);

  constructor(
    private readonly cache: SummaryCacheRepository,
    private readonly producer: SummarizeJobProducer,
    @Inject(SUMMARIZER) private readonly summarizer: Summarizer,
  ) {}

  async submit(rawInput: string): Promise<SubmitResponse> {
    const input = parseInput(rawInput);
    const inputHash = hashInput(input.type, input.key, this.summarizer.identity);
    const cached = await this.cache.get(inputHash);
    if (cached) return hit(cached, input);

    const queued = await this.producer.enqueue({ inputType: input.type, input: input.content, inputHash });
    const status = toPublicJobStatus(queued.state);
    // Logged inside the request, so the line carries the request id next to the job id.
    this.logger.log(
      { job_id: queued.jobId, deduplicated: queued.deduplicated, input_type: input.type },
      'job queued',
    );
    if (status === 'completed' || status === 'failed') {
      // The job we were deduplicated onto finished between our cache read and now: its result is cached.
      const finished = await this.cache.get(inputHash);
      if (finished) return hit(finished, input);
    }
    return {
      job_id: queued.jobId,
      status: status === 'processing' ? 'processing' : 'pending',
      cache: queued.deduplicated ? 'deduplicated' : 'miss',
      input_type: input.type,
    };
  }
}

function hit(cached: SummarizeJobResult, input: ParsedInput): SubmitHitResponseDto {
  return {
    status: 'completed',
    cache: 'hit',
    summary: cached.summary,
    tags: cached.tags,
    input_type: input.type,
    [ANALYTICS_FACTS]: { tokensSaved: cached.usage?.totalTokens ?? 0 },
  };
}
