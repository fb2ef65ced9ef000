import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { newJobId } from './job-id';
import { onLiveQueue } from './live-queue';
import { SUMMARIZE_JOB, SUMMARIZE_QUEUE } from './queue.constants';
import type { SummarizeJobData, SummarizeQueue } from './summarize-job';

export interface EnqueueOutcome {
  readonly jobId: string;
  /** True when a job for the same input held the deduplication key (pending or processing) and no new job was made. */
  readonly deduplicated: boolean;
}

/** The one place jobs are added to the summarize queue. */
@Injectable()
export class SummarizeJobProducer {
  constructor(@InjectQueue(SUMMARIZE_QUEUE) private readonly queue: SummarizeQueue) {}

  /**
   * Adds a job unless one for the same input hash is still pending or processing (BullMQ deduplication: the key
   * lives until the job completes or fails for good). BullMQ answers a duplicate with the id of the job that holds
   * the key, not with that job, so the id we proposed tells the two cases apart.
   */
  async enqueue(data: SummarizeJobData): Promise<EnqueueOutcome> {
    const proposedId = newJobId();
    const job = await onLiveQueue(this.queue, () =>
      this.queue.add(SUMMARIZE_JOB, data, { jobId: proposedId, deduplication: { id: data.inputHash } }),
    );
    const jobId = job.id ?? proposedId;
    return { jobId, deduplicated: jobId !== proposedId };
  }
}
