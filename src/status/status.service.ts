import { Injectable, NotFoundException, Optional } from '@nestjs/common';
import { type CacheScope, SHARED_SCOPE } from '../jobs/cache-scope';
import { isJobId } from '../jobs/job-id';
import type { JobStatus } from '../jobs/job-status';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import { JobHistoryService } from '../persistence/history/job-history.service';

/**
 * A job's state from BullMQ's record of it (the one record of its state, result and error). With DATABASE_URL, a
 * job BullMQ no longer holds (past JOB_RETENTION_*) answers from the job history instead.
 */
@Injectable()
export class StatusService {
  constructor(
    private readonly jobs: SummarizeJobRepository,
    /** Present only with DATABASE_URL (PersistenceModule). */
    @Optional() private readonly history?: JobHistoryService,
  ) {}

  /** @param viewer the caller's cache scope: a job made in another scope is answered as unknown (404). */
  async status(jobId: string, viewer: CacheScope = SHARED_SCOPE): Promise<JobStatus> {
    // Not one of our ids (e.g. BullMQ's own key names): unknown, without asking Redis or PostgreSQL.
    const status = isJobId(jobId)
      ? ((await this.jobs.status(jobId, viewer)) ?? (await this.history?.status(jobId, viewer)))
      : null;
    if (!status) throw new NotFoundException(`no job with id ${jobId} (unknown, or expired from retention)`);
    return status;
  }
}
