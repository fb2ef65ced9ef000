import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobState, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { onLiveQueue } from './queue-availability';
import { SUMMARIZE_JOB, SUMMARIZE_QUEUE } from './queue.constants';
import type { SummarizeJobData, SummarizeJobResult } from './summarize-job';

export interface EnqueueOutcome {
  readonly jobId: string;
  /** True when a job for the same input was already pending or processing and no new job was made. */
  readonly deduplicated: boolean;
  readonly state: JobState | 'unknown';
}

/** The one place jobs are added to the summarize queue. */
@Injectable()
export class SummarizeJobProducer {
  constructor(
    @InjectQueue(SUMMARIZE_QUEUE)
    private readonly queue: Queue<SummarizeJobData, SummarizeJobResult, typeof SUMMARIZE_JOB>,
  ) {}

  /**
   * Adds a job unless one for the same input hash is still pending or processing (BullMQ deduplication: the key
   * lives until the job completes or fails for good). BullMQ answers a duplicate with the id of the job that holds
   * the key, not with that job, so the id we proposed tells the two cases apart.
   */
  async enqueue(data: SummarizeJobData): Promise<EnqueueOutcome> {
    // BullMQ job ids may not contain ':'; a UUID never does.
    const proposedId = randomUUID();
    const job = await onLiveQueue(this.queue, () =>
      this.queue.add(SUMMARIZE_JOB, data, { jobId: proposedId, deduplication: { id: data.inputHash } }),
    );
    const jobId = job.id ?? proposedId;
    if (jobId === proposedId) return { jobId, deduplicated: false, state: 'waiting' };
    return {
      jobId,
      deduplicated: true,
      state: await onLiveQueue(this.queue, () => this.queue.getJobState(jobId)),
    };
  }
}
