import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { JobState } from 'bullmq';
import { type CacheScope, sameScope, scopeOfJob, SHARED_SCOPE } from './cache-scope';
import { isJobId } from './job-id';
import { describeJob, type JobStatus } from './job-status';
import { onLiveQueue } from './live-queue';
import { logBullmqErrors } from './queue-errors';
import { SUMMARIZE_QUEUE } from './queue.constants';
import type { SummarizeQueue } from './summarize-job';

/** Jobs by state, for the analytics and /health. */
export interface QueueCounts {
  /** Waiting, delayed and prioritized: jobs no worker has taken yet. */
  readonly queued: number;
  readonly active: number;
}

/** The states {@link SummarizeJobRepository.countsByState} counts. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/**
 * Every read of the summarize queue (job records, states, counts) and the queue-wide controls the workers use. Request
 * path reads go through {@link onLiveQueue}: they fail fast (503) while Redis is away instead of waiting for it.
 */
@Injectable()
export class SummarizeJobRepository {
  constructor(@InjectQueue(SUMMARIZE_QUEUE) private readonly queue: SummarizeQueue) {
    logBullmqErrors(queue, new Logger(SummarizeJobRepository.name), 'queue');
  }

  /**
   * The job as clients see it, or null for an unknown (or expired) id, or a job of another cache scope than the
   * viewer's (a private key's jobs exist only for that key, and it sees no one else's).
   */
  async status(jobId: string, viewer: CacheScope = SHARED_SCOPE): Promise<JobStatus | null> {
    if (!isJobId(jobId)) return null;
    // State first, then the job record: a job that finishes in between then shows its result; the other order could
    // show "failed" without the reason.
    let state = await this.state(jobId);
    const job = await onLiveQueue(this.queue, () => this.queue.getJob(jobId));
    if (state === 'unknown' || !job?.id || !sameScope(scopeOfJob(job.data), viewer)) return null;
    if (job.finishedOn && state !== 'completed' && state !== 'failed')
      state = await onLiveQueue(this.queue, () => job.getState());
    return describeJob(job as typeof job & { id: string }, state);
  }

  /**
   * The status of a job known to have ended in `state` (a QueueEvents `completed`/`failed` event said so): one round
   * trip, the job record only. Null when the record is gone already.
   */
  async endedStatus(jobId: string, state: 'completed' | 'failed'): Promise<JobStatus | null> {
    const job = await onLiveQueue(this.queue, () => this.queue.getJob(jobId));
    return job?.id ? describeJob(job as typeof job & { id: string }, state) : null;
  }

  /** The id of the job holding deduplication id `inputHash` while it is pending or running, else null. */
  async runningJobFor(inputHash: string): Promise<string | null> {
    const jobId = await onLiveQueue(this.queue, () => this.queue.getDeduplicationJobId(inputHash));
    if (!jobId) return null;
    const state = await this.state(jobId);
    return state === 'completed' || state === 'failed' || state === 'unknown' ? null : jobId;
  }

  state(jobId: string): Promise<JobState | 'unknown'> {
    return onLiveQueue(this.queue, () => this.queue.getJobState(jobId));
  }

  async counts(): Promise<QueueCounts> {
    const counts = await onLiveQueue(this.queue, () =>
      this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active'),
    );
    return {
      queued: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
    };
  }

  /**
   * Jobs in each of the five states operators watch, in one Redis round trip (the `smartcache_queue_jobs` gauge).
   * `waiting` includes prioritized jobs: both wait for a worker. Fails fast while Redis is away.
   */
  async countsByState(): Promise<Record<QueueState, number>> {
    const counts = await onLiveQueue(this.queue, () =>
      this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'),
    );
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      completed: counts.completed ?? 0,
    };
  }

  /**
   * Removes a job unless a worker is running it (false then, or when it is gone). BullMQ refuses to remove a locked
   * (active) job, so this never pulls work from under a worker.
   */
  async removeUnlessRunning(jobId: string): Promise<boolean> {
    return (await onLiveQueue(this.queue, () => this.queue.remove(jobId))) === 1;
  }

  /** BullMQ's queue object itself, for tools built on it (the bull-board queue dashboard); nothing else uses it. */
  queueForTools(): SummarizeQueue {
    return this.queue;
  }

  /** Pauses every worker of the queue for `ms` (an AI rate limit); the worker side, so no request-path deadline. */
  async pauseAllWorkers(ms: number): Promise<void> {
    await this.queue.rateLimit(ms);
  }

  /**
   * Bounds job starts per second across every worker of the queue (BullMQ's global limiter in Redis). Only set, never
   * removed here: a worker started without the setting must not lift a limit the deployment set.
   */
  async limitStartsPerSecond(max: number): Promise<void> {
    await this.queue.setGlobalRateLimit(max, 1_000);
  }
}
