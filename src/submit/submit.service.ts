import { Inject, Injectable, Logger } from '@nestjs/common';
import { SUMMARIZER, type Summarizer } from '../ai/summarizer';
import { AnalyticsRepository } from '../analytics/analytics.repository';
import { hashInput } from '../cache/input-hasher';
import { SummaryCacheRepository } from '../cache/summary-cache.repository';
import type { SummarizeJobResult } from '../core/queue/summarize-job';
import { SummarizeJobProducer } from '../core/queue/summarize-job.producer';
import { toPublicJobStatus } from '../status/public-job-status';
import { parseInput, type ParsedInput } from './input-parser';
import type { SubmitHitResponseDto, SubmitQueuedResponseDto, SubmitResponse } from './submit-response.dto';

/** The request path: answer from the cache, or queue one job per distinct input. No AI here. */
@Injectable()
export class SubmitService {
  private readonly logger = new Logger(SubmitService.name);

  constructor(
    private readonly cache: SummaryCacheRepository,
    private readonly producer: SummarizeJobProducer,
    @Inject(SUMMARIZER) private readonly summarizer: Summarizer,
    private readonly analytics: AnalyticsRepository,
  ) {}

  /**
   * Answers a submission and counts it as a hit, miss or deduplication. Counting is fire-and-forget on the
   * auto-pipelined client, so it adds no round trip: a hit is one `GET` the client waits for.
   */
  async submit(rawInput: string, requestId?: string): Promise<SubmitResponse> {
    const response = await this.answer(rawInput, requestId);
    if (response.cache === 'hit') {
      this.analytics.recordRequest('hit', { tokensSaved: response.tokensSaved });
      return response.body;
    }
    this.analytics.recordRequest(response.cache, { jobId: response.job_id });
    return response;
  }

  private async answer(
    rawInput: string,
    requestId: string | undefined,
  ): Promise<Hit | SubmitQueuedResponseDto> {
    const input = parseInput(rawInput);
    const inputHash = hashInput(input.type, input.key, this.summarizer.identity);
    const cached = await this.cache.get(inputHash);
    if (cached) return hit(cached, input);

    const queued = await this.producer.enqueue({ inputType: input.type, input: input.content, inputHash });
    const status = toPublicJobStatus(queued.state);
    // The request id next to the job id (this route has no per-request logger context, see app.module.ts).
    this.logger.log(
      {
        request_id: requestId,
        job_id: queued.jobId,
        deduplicated: queued.deduplicated,
        input_type: input.type,
      },
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

/** A cache hit: the response body, and the tokens it saved for the analytics (never sent). */
interface Hit {
  readonly cache: 'hit';
  readonly body: SubmitHitResponseDto;
  readonly tokensSaved: number;
}

function hit(cached: SummarizeJobResult, input: ParsedInput): Hit {
  return {
    cache: 'hit',
    body: {
      status: 'completed',
      cache: 'hit',
      summary: cached.summary,
      tags: cached.tags,
      input_type: input.type,
    },
    tokensSaved: cached.usage?.totalTokens ?? 0,
  };
}
