import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, NotFoundException } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { type CacheScope, sameScope, scopeOfJob, SHARED_SCOPE } from '../access/cache-scope';
import { SUMMARIZE_QUEUE } from '../core/queue/queue.constants';
import { onLiveQueue } from '../core/queue/queue-availability';
import type { SummarizeJob } from '../core/queue/summarize-job';
import type { JobStatusResponseDto } from './job-status-response.dto';
import { toPublicJobStatus } from './public-job-status';

/** Reads jobs straight from BullMQ: the job hash is the one record of a job's state, result and error. */
@Injectable()
export class StatusService {
  constructor(@InjectQueue(SUMMARIZE_QUEUE) private readonly queue: Queue) {}

  /** @param viewer the caller's cache scope: a job made in another scope is answered as unknown (404). */
  async status(jobId: string, viewer: CacheScope = SHARED_SCOPE): Promise<JobStatusResponseDto> {
    // State first, then the job record: a job that finishes in between then shows its result; the other order could
    // show "failed" without the reason.
    let state = await onLiveQueue(this.queue, () => this.queue.getJobState(jobId));
    const job = (await onLiveQueue(this.queue, () => this.queue.getJob(jobId))) as SummarizeJob | undefined;
    if (state === 'unknown' || !job?.id || !sameScope(scopeOfJob(job.data), viewer)) {
      throw new NotFoundException(`no job with id ${jobId} (unknown, or expired from retention)`);
    }
    if (job.finishedOn && state !== 'completed' && state !== 'failed')
      state = await onLiveQueue(this.queue, () => job.getState());
    const status = toPublicJobStatus(state);
    const result = status === 'completed' ? job.returnvalue : null;
    const finishedOn = status === 'completed' || status === 'failed' ? job.finishedOn : undefined;
    return {
      job_id: job.id,
      status,
      summary: result?.summary ?? null,
      tags: result?.tags ?? null,
      error: status === 'failed' ? job.failedReason || 'failed' : null,
      input_type: job.data.inputType,
      created_at: new Date(job.timestamp).toISOString(),
      finished_at: finishedOn ? new Date(finishedOn).toISOString() : null,
      processing_time_ms: finishedOn && job.processedOn ? finishedOn - job.processedOn : null,
      attempts: job.attemptsMade,
      provider: result?.provider ?? null,
      model: result?.model ?? null,
      fallback: result ? result.fallback : null,
      tokens_used: result?.usage?.totalTokens ?? null,
      source_url: result?.source_url ?? (job.data.inputType === 'url' ? job.data.input : null),
      final_url: result?.final_url ?? null,
      title: result?.title ?? null,
      fetched_at: result?.fetched_at ?? null,
    };
  }
}
