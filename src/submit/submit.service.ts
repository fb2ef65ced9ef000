import { Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { hash } from 'node:crypto';
import { jobScopeFields, scopedInputHash } from '../access/cache-scope';
import { JobQuotaService } from '../access/job-quota.service';
import { RequestAccess } from '../access/request-access';
import { SUMMARIZER, type Summarizer } from '../ai/summarizer';
import { ANALYTICS_FACTS, type AnalyticsFacts } from '../analytics/analytics.hook';
import { hashInput } from '../cache/input-hasher';
import { SummaryCacheRepository } from '../cache/summary-cache.repository';
import type { InputType, SummarizeJobResult } from '../core/queue/summarize-job';
import { SummarizeJobProducer, type EnqueueOutcome } from '../core/queue/summarize-job.producer';
import { toPublicJobStatus } from '../status/public-job-status';
import { parseInput, type ParsedInput } from './input-parser';
import type { SubmitHitResponse, SubmitResponse } from './submit.schema';

/** How many recent inputs' cache keys are remembered (about 300 bytes each), least recently used out first. */
const REMEMBERED_INPUTS = 10_000;

/** An input's type and cache key; `input` when this request parsed it. */
interface InputKey {
  readonly type: InputType;
  readonly inputHash: string;
  readonly input?: ParsedInput;
}

/**
 * The request path: answer from the cache, or queue one job per distinct input. No AI here. A hit waits for one
 * Redis round trip (the cache read, shared by the requests of one event-loop turn); the AnalyticsHook counts the
 * answer without adding one.
 */
@Injectable()
export class SubmitService {
  private readonly logger = new Logger(SubmitService.name);
  private readonly rememberedKeys = new LRUCache<string, InputKey>({ max: REMEMBERED_INPUTS });

  constructor(
    private readonly cache: SummaryCacheRepository,
    private readonly producer: SummarizeJobProducer,
    @Inject(SUMMARIZER) private readonly summarizer: Summarizer,
    private readonly jobQuota: JobQuotaService,
  ) {}

  /**
   * @param access the request's API key / rate check, started by the route's hooks (src/access); its Redis call
   *   joins this request's cache read in one round trip, and its grant decides the cache scope and the job quota
   */
  async submit(
    rawInput: string,
    requestId?: string,
    access: RequestAccess = RequestAccess.OPEN,
  ): Promise<SubmitResponse> {
    let key: InputKey;
    try {
      key = this.keyOf(rawInput);
    } catch (error) {
      // A caller without a valid key, or over its rate, hears that rather than what is wrong with its input.
      await access.decision();
      throw error;
    }
    const { grant, value: cached } = await access.lookup(key.inputHash, (hash) => this.cache.get(hash));
    if (cached) return hit(cached, key.type);

    const input = key.input ?? parseInput(rawInput);
    // The scoped hash is the cache key, the deduplication id and the job's identity: private scopes share none.
    const inputHash = scopedInputHash(key.inputHash, grant.scope);
    const data = { inputType: input.type, input: input.content, inputHash, ...jobScopeFields(grant.scope) };
    // New jobs count against an API key's daily quota; joins of a running job are refunded.
    const enqueue = () => this.jobQuota.enqueue(grant, inputHash, () => this.producer.enqueue(data));
    let queued = await enqueue();
    if (queued.deduplicated && isOver(queued)) {
      // The job we were deduplicated onto ended between our cache read and now. Completed: its result is cached.
      // Failed, removed, or completed with the entry already expired: its deduplication key is gone, so this
      // enqueue makes a new job rather than hand out a dead job id.
      const finished = await this.cache.get(inputHash);
      if (finished) return hit(finished, input.type);
      queued = await enqueue();
    }
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
    return {
      job_id: queued.jobId,
      status: toPublicJobStatus(queued.state) === 'processing' ? 'processing' : 'pending',
      cache: queued.deduplicated ? 'deduplicated' : 'miss',
      input_type: input.type,
    };
  }

  /**
   * The input's type and cache key, remembered by the SHA-256 of the raw input: normalizing ~1 KB costs more than
   * hashing it, and every hit is a repeat of an earlier input. The summary itself is always read from Redis, so
   * entries expire, change and disappear exactly as before. Invalid inputs throw and are not remembered.
   */
  private keyOf(rawInput: string): InputKey {
    const rawHash = hash('sha256', rawInput);
    const remembered = this.rememberedKeys.get(rawHash);
    if (remembered) return remembered;
    const input = parseInput(rawInput);
    const inputHash = hashInput(input.type, input.key, this.summarizer.identity);
    this.rememberedKeys.set(rawHash, { type: input.type, inputHash });
    return { type: input.type, inputHash, input };
  }
}

function isOver(queued: EnqueueOutcome): boolean {
  return queued.state === 'completed' || queued.state === 'failed' || queued.state === 'unknown';
}

function hit(
  cached: SummarizeJobResult,
  inputType: InputType,
): SubmitHitResponse & { [ANALYTICS_FACTS]: AnalyticsFacts } {
  return {
    status: 'completed',
    cache: 'hit',
    summary: cached.summary,
    tags: cached.tags,
    input_type: inputType,
    [ANALYTICS_FACTS]: { tokensSaved: cached.usage?.totalTokens ?? 0 },
  };
}
