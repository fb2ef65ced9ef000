import { OnQueueEvent, QueueEventsHost, QueueEventsListener } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { isRedisUnavailableError } from '../core/redis/redis-connection';
import { type JobStage, type JobStatus, stageOf } from '../jobs/job-status';
import { logBullmqErrors } from '../jobs/queue-errors';
import { SUMMARIZE_QUEUE } from '../jobs/queue.constants';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';

/** What a follower of a job hears: each step it enters, then its end with the full status. */
export type JobEvent =
  | { readonly type: 'progress'; readonly stage: JobStage }
  | { readonly type: 'completed' | 'failed'; readonly status: JobStatus };

export type JobEventListener = (event: JobEvent) => void;

/** How often a final status read is tried when Redis does not answer at once. */
const FINAL_READ_ATTEMPTS = 3;

/**
 * The one source of job events of an API process: a single BullMQ `QueueEvents` subscription (Redis streams: events
 * from every worker process on every machine), fanned out in memory to this process's followers (waiting submissions,
 * SSE streams, WebSocket subscriptions). No Redis connection or poll loop per follower; events of jobs nobody here
 * follows cost a map lookup.
 */
@QueueEventsListener(SUMMARIZE_QUEUE)
export class JobEventsHub extends QueueEventsHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobEventsHub.name);
  private readonly followers = new Map<string, Set<JobEventListener>>();

  constructor(private readonly jobs: SummarizeJobRepository) {
    super();
  }

  onApplicationBootstrap(): void {
    logBullmqErrors(this.queueEvents, this.logger, 'queue-events');
  }

  /** Followers now, for the benchmark and the shutdown. */
  get size(): number {
    let n = 0;
    for (const set of this.followers.values()) n += set.size;
    return n;
  }

  /**
   * Follows a job's events from now on; returns the function that stops following. Call it before reading the job's
   * current state, so an event between the read and the subscription cannot be missed.
   */
  follow(jobId: string, listener: JobEventListener): () => void {
    let set = this.followers.get(jobId);
    if (!set) {
      set = new Set();
      this.followers.set(jobId, set);
    }
    set.add(listener);
    return () => {
      const current = this.followers.get(jobId);
      if (!current?.delete(listener)) return;
      if (current.size === 0) this.followers.delete(jobId);
    };
  }

  /**
   * The job's status once it has ended, or null when `timeoutMs` pass first (or `signal` aborts). Answers at once
   * for a job that has ended already.
   */
  async whenEnded(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<JobStatus | null> {
    let stop = (): void => undefined;
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<JobStatus | null>((resolve) => {
      stop = this.follow(jobId, (event) => {
        if (event.type !== 'progress') resolve(event.status);
      });
      timer = setTimeout(() => resolve(null), timeoutMs);
      if (signal?.aborted) resolve(null);
      signal?.addEventListener('abort', () => resolve(null), { once: true });
    });
    try {
      const now = await this.jobs.status(jobId);
      if (now === null || now.stage === 'done') return now;
      return await ended;
    } finally {
      stop();
      clearTimeout(timer);
    }
  }

  @OnQueueEvent('progress')
  onProgress({ jobId, data }: { jobId: string; data: unknown }): void {
    const set = this.followers.get(jobId);
    if (!set) return;
    const stage = stageOf('active', data);
    if (stage !== 'queued') this.emit(set, { type: 'progress', stage });
  }

  @OnQueueEvent('completed')
  onCompleted({ jobId }: { jobId: string }): void {
    if (this.followers.has(jobId)) void this.emitEnd(jobId, 'completed');
  }

  /** BullMQ emits `failed` only when a job has failed for good (attempts left: it is retried, and says so). */
  @OnQueueEvent('failed')
  onFailed({ jobId }: { jobId: string }): void {
    if (this.followers.has(jobId)) void this.emitEnd(jobId, 'failed');
  }

  /** One read of the final status, shared by every follower of the job. */
  private async emitEnd(jobId: string, type: 'completed' | 'failed'): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const status = await this.jobs.endedStatus(jobId, type);
        const set = this.followers.get(jobId);
        if (set && status) this.emit(set, { type, status });
        return;
      } catch (error) {
        if (attempt >= FINAL_READ_ATTEMPTS || !isRedisUnavailableError(error)) {
          this.logger.warn({ job_id: jobId, err: error }, 'could not read a finished job for its followers');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private emit(set: ReadonlySet<JobEventListener>, event: JobEvent): void {
    // A copy: listeners unfollow while being told (a stream that ends on the final event).
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ err: error }, 'a job event listener failed');
      }
    }
  }
}
