import { Injectable, NotFoundException } from '@nestjs/common';
import type { JobStatus } from '../jobs/job-status';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';

@Injectable()
export class StatusService {
  constructor(private readonly jobs: SummarizeJobRepository) {}

  async status(jobId: string): Promise<JobStatus> {
    const status = await this.jobs.status(jobId);
    if (!status) throw new NotFoundException(`no job with id ${jobId} (unknown, or expired from retention)`);
    return status;
  }
}
