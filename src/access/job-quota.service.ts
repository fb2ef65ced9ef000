import { Injectable, Logger } from '@nestjs/common';
import type { EnqueueOutcome } from '../jobs/summarize-job.producer';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import { DailyJobsExceededException } from './access-problems';
import { type AccessGrant, grantHeaders } from './access-grant';
import { Clock, msUntilNextUtcDay, utcDay } from './clock';
import { JobQuotaRepository } from './job-quota.repository';
import { toSeconds } from './rate-limit-headers';

/**
 * Makes new jobs within an API key's daily quota. Hits never get here, and a submission that joins a running job
 * (deduplicated) is refunded: only jobs that were really made count. Once the quota is used up, a submission may still
 * join a job that is running for its input; anything that would make a new job is answered 429 until UTC midnight.
 */
@Injectable()
export class JobQuotaService {
  private readonly logger = new Logger(JobQuotaService.name);

  constructor(
    private readonly quota: JobQuotaRepository,
    private readonly clock: Clock,
    private readonly jobs: SummarizeJobRepository,
  ) {}

  /**
   * @param inputHash the scoped input hash (the deduplication id), to find a running job to join
   * @param enqueue adds the job (or joins the running one)
   */
  async enqueue(
    grant: AccessGrant,
    inputHash: string,
    enqueue: () => Promise<EnqueueOutcome>,
  ): Promise<EnqueueOutcome> {
    const daily = grant.dailyJobs;
    if (grant.client.kind !== 'key' || daily === null) return enqueue();
    const keyId = grant.client.id;
    const now = this.clock.now();
    const day = utcDay(now);
    const reservation = await this.quota.reserve(keyId, day, daily.limit);
    // What the answer's RateLimit field reports for the daily-jobs policy.
    daily.used = reservation.used;
    daily.resetSeconds = toSeconds(msUntilNextUtcDay(now));
    if (!reservation.granted) {
      const running = await this.jobs.runningJobFor(inputHash);
      if (running) return { jobId: running, deduplicated: true };
      throw this.exceeded(grant, reservation.used);
    }
    let outcome: EnqueueOutcome;
    try {
      outcome = await enqueue();
    } catch (error) {
      await this.refund(keyId, day);
      throw error;
    }
    if (outcome.deduplicated) {
      await this.refund(keyId, day);
      // From the latest count the grant reports: a batch's later items may have reserved since this one did.
      daily.used = Math.max(0, (daily.used ?? reservation.used) - 1);
    }
    return outcome;
  }

  private async refund(keyId: string, day: string): Promise<void> {
    // A failed refund over-counts one job (and is logged); it must not turn a served request into an error.
    await this.quota.refund(keyId, day).catch((error: unknown) => {
      this.logger.warn({ err: error, key_id: keyId, day }, 'could not refund a daily job reservation');
    });
  }

  private exceeded(grant: AccessGrant, used: number): DailyJobsExceededException {
    const limit = grant.dailyJobs?.limit ?? 0;
    const resetSeconds = grant.dailyJobs?.resetSeconds ?? 0;
    return new DailyJobsExceededException(
      `This API key has made ${used} of its ${limit} new AI jobs today (UTC); cached and running inputs still answer. ` +
        `The quota starts over at 00:00 UTC.`,
      resetSeconds,
      grantHeaders(grant),
    );
  }
}
