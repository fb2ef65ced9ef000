import { Injectable, Logger, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DailyJobsExceededException } from '../access/access-problems';
import type { AccessGrant } from '../access/access-grant';
import { JobQuotaService } from '../access/job-quota.service';
import { RequestAccess } from '../access/request-access';
import type { Environment } from '../core/config/environment';
import { invalidRequest, ProblemException } from '../core/http/problem-details';
import { ANALYTICS_FACTS, type AnalyticsFacts } from '../analytics/analytics.hook';
import { SummaryCacheRepository } from '../cache/summary-cache.repository';
import { jobScopeFields, scopedInputHash } from '../jobs/cache-scope';
import { InvalidInputError, JobKeys, parseInput, type JobKey } from '../jobs/job-key';
import type { InputType, SummarizeJobData, SummarizeJobResult } from '../jobs/summarize-job';
import { toPublicJobStatus, type JobStatus } from '../jobs/job-status';
import { SummarizeJobProducer } from '../jobs/summarize-job.producer';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import { JobEventsHub } from '../live/job-events.hub';
import { SummaryArchiveRepository } from '../persistence/archive/summary-archive.repository';
import { WebhookRegistrar } from '../webhooks/webhook.registrar';
import type {
  SubmitBatchItem,
  SubmitEndedResponse,
  SubmitHitResponse,
  SubmitQueuedResponse,
  SubmitResponse,
} from './submit.schema';

/** An input that neither the cache nor the archive could answer: the job to make (or join) for it. */
interface JobToQueue {
  readonly grant: AccessGrant;
  readonly data: SummarizeJobData;
  readonly inputType: InputType;
}

/** Enqueues tried when the job we joined ended without a cached summary (failed, or its entry already expired). */
const MAX_ENQUEUES = 3;

export interface SubmitOptions {
  /** The request's id, logged next to the job id. */
  readonly requestId?: string;
  /** Hold the answer until the job ends, at most this long (ms); 0 answers at once. */
  readonly waitMs?: number;
  /** Stops waiting (the client went away). */
  readonly signal?: AbortSignal;
  /** Deliver the job's end (or the hit) to this URL as a signed webhook (`callback_url`). */
  readonly callbackUrl?: string;
  /**
   * The request's API key / rate check, started by the route's hooks (src/access): its Redis call joins the cache
   * read in one round trip, and its grant decides the cache scope and the daily job quota. None: nothing is checked.
   */
  readonly access?: RequestAccess;
}

/**
 * The request path: answer from the cache, or queue one job per distinct input. No AI here. A hit waits for one
 * Redis round trip (the cache read, shared by the requests of one event-loop turn); the AnalyticsHook counts the
 * answer without adding one.
 *
 * One job per distinct input, for every interleaving: a job for this input may complete between our cache read and
 * our enqueue. BullMQ then has dropped its deduplication key, so the enqueue makes a new job (or joins one another
 * request made in the same window). The cache is read again after every enqueue: the completed job cached its summary
 * before its key went (see SummaryCacheRepository.setBeforeCompletion), so whenever the window was hit the summary is
 * there, the answer is a hit, and the job made in the window is removed (or, if a worker took it already, that
 * worker finds the summary cached and makes no AI call: SummarizeJobService.run). A new job that completed before
 * the second read answers a hit too: the summary is there.
 */
@Injectable()
export class SubmitService {
  private readonly logger = new Logger(SubmitService.name);
  private readonly cacheTtlSeconds: number;

  constructor(
    private readonly keys: JobKeys,
    private readonly cache: SummaryCacheRepository,
    private readonly producer: SummarizeJobProducer,
    private readonly jobs: SummarizeJobRepository,
    private readonly events: JobEventsHub,
    config: ConfigService<Environment, true>,
    private readonly webhooks: WebhookRegistrar,
    private readonly jobQuota: JobQuotaService,
    /** Present only with DATABASE_URL (PersistenceModule). */
    @Optional() private readonly archive?: SummaryArchiveRepository,
  ) {
    this.cacheTtlSeconds = config.get('CACHE_TTL', { infer: true });
    this.batchMaxInputs = config.get('BATCH_MAX_INPUTS', { infer: true });
  }

  private readonly batchMaxInputs: number;

  /**
   * One input: a hit at once, or a job (made or joined), waited for up to `waitMs`. A callback URL is checked before
   * anything is queued (a 400 leaves no job behind); its delivery is registered once the answer is known and before
   * it is sent, so a submitter told 2xx always gets its webhook.
   */
  async submit(rawInput: string, options: SubmitOptions = {}): Promise<SubmitResponse> {
    const callbackUrl =
      options.callbackUrl === undefined ? undefined : this.webhooks.parse(options.callbackUrl);
    const found = await this.findStored(rawInput, options.access ?? RequestAccess.OPEN, '#/input');
    const answer = 'data' in found ? await this.queue(found, options.requestId) : found;
    if (callbackUrl !== undefined) await this.webhooks.register(callbackUrl, answer);
    if (!options.waitMs || !('job_id' in answer)) return answer;
    const ended = await this.events.whenEnded(answer.job_id, options.waitMs, options.signal);
    return ended && ended.stage === 'done' ? endedAnswer(answer, ended) : answer;
  }

  /**
   * Many inputs, answered in order, each as `submit` would answer it; an invalid item answers its problem instead of
   * failing the others, and so does an item the key's daily job quota refuses (a 429 problem). Equal inputs share one
   * job (deduplication). What refuses the request itself fails the whole batch: a bad key (401), the request rate
   * (429), Redis being away (503). A callback URL gets one delivery per answered item.
   */
  async submitBatch(inputs: readonly unknown[], options: SubmitOptions = {}): Promise<SubmitBatchItem[]> {
    const callbackUrl =
      options.callbackUrl === undefined ? undefined : this.webhooks.parse(options.callbackUrl);
    if (inputs.length > this.batchMaxInputs) {
      throw invalidRequest([
        {
          detail: `inputs has ${inputs.length} items; at most ${this.batchMaxInputs} (BATCH_MAX_INPUTS)`,
          pointer: '#/inputs',
        },
      ]);
    }
    const access = options.access ?? RequestAccess.OPEN;
    // Every item's cache read at once: they and the access check share one round trip.
    const found = await Promise.all(
      inputs.map((input, i) => this.findBatchItem(input, access, `#/inputs/${i}`)),
    );
    const results = await this.queueBatch(found, options.requestId);
    if (callbackUrl !== undefined) {
      const answered = results.filter((result): result is SubmitResponse => result.status !== 'error');
      await Promise.all(answered.map((answer) => this.webhooks.register(callbackUrl, answer)));
    }
    return results;
  }

  /** A batch item's hit, its job to queue, or its problem (a bad input). */
  private async findBatchItem(
    input: unknown,
    access: RequestAccess,
    pointer: string,
  ): Promise<SubmitBatchItem | JobToQueue> {
    try {
      if (typeof input !== 'string') {
        // As for any bad input: a caller without a valid key, or over its rate, hears that instead.
        await access.decision();
        throw invalidRequest([{ detail: 'input must be a string', pointer }]);
      }
      return await this.findStored(input, access, pointer);
    } catch (error) {
      if (error instanceof ProblemException && error.problem.status === 400) return itemProblem(error);
      throw error;
    }
  }

  /**
   * The jobs of a batch's misses, all at once. Their daily-quota reservations go out in input order (each item reaches
   * its reservation without awaiting anything, and one connection keeps the order), so the quota goes to the first new
   * inputs. An item refused then gets a second try, in input order, once every other item has settled: an earlier
   * join may have given its reservation back meanwhile, or an earlier equal input made the job this one joins. So the
   * answers are those of the inputs submitted one after another, while a batch within its quota pays no extra round
   * trip, and one refused outright pays none either.
   */
  private async queueBatch(
    found: readonly (SubmitBatchItem | JobToQueue)[],
    requestId: string | undefined,
  ): Promise<SubmitBatchItem[]> {
    const queueItem = async (item: JobToQueue): Promise<SubmitResponse | DailyJobsExceededException> => {
      try {
        return await this.queue(item, requestId);
      } catch (error) {
        if (error instanceof DailyJobsExceededException) return error;
        throw error;
      }
    };
    const first = await Promise.all(found.map(async (item) => ('data' in item ? queueItem(item) : item)));
    // A second try can only change a refusal when a join gave a reservation back, or when an earlier item made the
    // job this one would join; otherwise a key over its quota would pay a round trip per refused item.
    const queued = first.filter((answer): answer is SubmitResponse => 'cache' in answer);
    const refunded = queued.some((answer) => answer.cache === 'deduplicated');
    const made = new Set(
      found.flatMap((item, i) => {
        const answer = first[i];
        return 'data' in item && 'cache' in answer && answer.cache === 'miss' ? [item.data.inputHash] : [];
      }),
    );
    const results: SubmitBatchItem[] = [];
    for (const [i, item] of found.entries()) {
      let answer = first[i];
      if (
        answer instanceof DailyJobsExceededException &&
        'data' in item &&
        (refunded || made.has(item.data.inputHash))
      )
        answer = await queueItem(item);
      results.push(answer instanceof DailyJobsExceededException ? itemProblem(answer) : answer);
    }
    return results;
  }

  /**
   * What the stores hold for an input: the cached (or archived) summary as a hit, else the job to queue for it. Reads
   * the cache together with the request's access check; throws its 401 / 429 / 503, or 400 for a bad input.
   */
  private async findStored(
    rawInput: string,
    access: RequestAccess,
    pointer: string,
  ): Promise<SubmitHitResponse | JobToQueue> {
    let key: ReturnType<SubmitService['keyOf']>;
    try {
      key = this.keyOf(rawInput, pointer);
    } catch (error) {
      // A caller without a valid key, or over its rate, hears that rather than what is wrong with its input.
      await access.decision();
      throw error;
    }
    const { grant, value: cached } = await access.lookup(key.inputHash, (hash) => this.cache.get(hash));
    if (cached) return hit(cached, key.type, 'cache');
    // The scoped hash is the cache key, the deduplication id and the job's identity: private scopes share none.
    const inputHash = scopedInputHash(key.inputHash, grant.scope);
    // Only on a Redis miss, bounded by DATABASE_TIMEOUT_MS, null on any trouble: then the job is queued as usual.
    const archived = await this.archive?.find(inputHash);
    if (archived) {
      // Back into the cache with the normal TTL (fallback results are never archived), so repeats hit Redis again.
      this.cache
        .set({ hash: inputHash, result: archived, ttlSeconds: this.cacheTtlSeconds })
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, 'could not re-cache an archived summary'),
        );
      return hit(archived, key.type, 'archive');
    }

    const input = key.input ?? this.parse(rawInput, pointer);
    return {
      grant,
      inputType: input.type,
      data: {
        inputType: input.type,
        input: input.content,
        inputHash,
        ...jobScopeFields(grant.scope),
        ...(grant.client.kind === 'key' ? { apiKeyId: grant.client.id } : {}),
      },
    };
  }

  /** Makes the input's job, or joins the one running for it; a hit if its summary turned up meanwhile. */
  private async queue(
    { grant, data, inputType }: JobToQueue,
    requestId: string | undefined,
  ): Promise<SubmitResponse> {
    const { inputHash } = data;
    for (let attempt = 1; ; attempt++) {
      // New jobs count against an API key's daily quota; joins of a running job are refunded.
      const queued = await this.jobQuota.enqueue(grant, inputHash, () => this.producer.enqueue(data));
      const [summary, state] = await Promise.all([
        this.cache.get(inputHash),
        queued.deduplicated ? this.jobs.state(queued.jobId) : Promise.resolve('waiting' as const),
      ]);
      if (summary) {
        if (!queued.deduplicated) this.discardIfUntouched(queued.jobId);
        return hit(summary, inputType, 'cache');
      }
      // Joined a job that has ended without a summary to show (failed, removed, or its entry already expired): its
      // deduplication key is gone, so the next enqueue makes a new job rather than hand out a dead job id.
      const ended = state === 'completed' || state === 'failed' || state === 'unknown';
      if (queued.deduplicated && ended && attempt < MAX_ENQUEUES) continue;
      // The request id next to the job id (this route has no per-request logger context, see app.module.ts).
      this.logger.log(
        {
          request_id: requestId,
          job_id: queued.jobId,
          deduplicated: queued.deduplicated,
          input_type: inputType,
        },
        'job queued',
      );
      return {
        job_id: queued.jobId,
        status: toPublicJobStatus(state) === 'processing' ? 'processing' : 'pending',
        cache: queued.deduplicated ? 'deduplicated' : 'miss',
        input_type: inputType,
      };
    }
  }

  private keyOf(
    rawInput: string,
    pointer: string,
  ): JobKey & { readonly input?: ReturnType<typeof parseInput> } {
    try {
      return this.keys.of(rawInput);
    } catch (error) {
      throw badInput(error, pointer);
    }
  }

  private parse(rawInput: string, pointer: string): ReturnType<typeof parseInput> {
    try {
      return parseInput(rawInput);
    } catch (error) {
      throw badInput(error, pointer);
    }
  }

  /**
   * Our new job, when its input's summary is cached already. Still waiting, it was made in the window where an
   * identical job completed: nobody can hold its id (whoever joined it read the cache after the summary was there),
   * so it goes. Running or finished, it is left alone: it may have made that summary itself, quickly, and other
   * submissions may have joined it and be polling its id.
   */
  private discardIfUntouched(jobId: string): void {
    const discard = async () => {
      const state = await this.jobs.state(jobId);
      if (state === 'waiting' || state === 'prioritized' || state === 'delayed') {
        await this.jobs.removeUnlessRunning(jobId);
      }
    };
    discard().catch((error: unknown) => {
      // Harmless: the worker that takes it finds the summary cached and completes it without an AI call.
      this.logger.warn({ job_id: jobId, err: error }, 'could not remove a redundant job');
    });
  }
}

function badInput(error: unknown, pointer: string): unknown {
  return error instanceof InvalidInputError ? invalidRequest([{ detail: error.message, pointer }]) : error;
}

function itemProblem(error: ProblemException): SubmitBatchItem {
  return { status: 'error', error: error.problem };
}

/** A job that ended while its submission waited: its result, as the submission's answer. */
function endedAnswer(
  queued: SubmitQueuedResponse | SubmitEndedResponse,
  ended: JobStatus,
): SubmitEndedResponse {
  return {
    job_id: queued.job_id,
    status: ended.status === 'failed' ? 'failed' : 'completed',
    cache: queued.cache,
    summary: ended.summary,
    tags: ended.tags,
    input_type: queued.input_type,
    error: ended.error,
  };
}

function hit(
  cached: SummarizeJobResult,
  inputType: InputType,
  source: SubmitHitResponse['source'],
): SubmitHitResponse & { [ANALYTICS_FACTS]: AnalyticsFacts } {
  return {
    status: 'completed',
    cache: 'hit',
    source,
    summary: cached.summary,
    tags: cached.tags,
    input_type: inputType,
    [ANALYTICS_FACTS]: {
      tokensSaved: cached.usage?.totalTokens ?? 0,
      costSavedUsd: cached.cost_usd ?? 0,
      archiveHit: source === 'archive',
    },
  };
}
