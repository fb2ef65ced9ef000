import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AnalyticsHistoryService } from '../analytics/analytics-history.service';
import {
  COPY_HOURLY_ANALYTICS_JOB,
  HISTORY_RETENTION_JOB,
  PERSISTENCE_MAINTENANCE_QUEUE,
} from '../persistence.constants';
import { HistoryRetentionService } from './history-retention.service';

/** How often the hour buckets are copied from Redis, and how often retention runs. */
export const COPY_HOURLY_EVERY_MS = 60_000;
export const RETENTION_EVERY_MS = 3_600_000;

/**
 * The scheduled upkeep of the persistence module, as BullMQ job schedulers: one run per interval across all worker
 * processes (the scheduler lives in Redis), retried by BullMQ like any job. Worker processes upsert both schedulers
 * at start-up, so a changed interval takes effect on the next deployment.
 */
@Processor(PERSISTENCE_MAINTENANCE_QUEUE)
export class PersistenceMaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(PersistenceMaintenanceProcessor.name);

  constructor(
    @InjectQueue(PERSISTENCE_MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly analytics: AnalyticsHistoryService,
    private readonly retention: HistoryRetentionService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const opts = { removeOnComplete: { count: 50 }, removeOnFail: { count: 50 }, attempts: 1 };
    await this.queue.upsertJobScheduler(
      COPY_HOURLY_ANALYTICS_JOB,
      { every: COPY_HOURLY_EVERY_MS },
      { name: COPY_HOURLY_ANALYTICS_JOB, opts },
    );
    await this.queue.upsertJobScheduler(
      HISTORY_RETENTION_JOB,
      { every: RETENTION_EVERY_MS },
      { name: HISTORY_RETENTION_JOB, opts },
    );
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case COPY_HOURLY_ANALYTICS_JOB:
        return { hours: await this.analytics.copyHourlyCounters() };
      case HISTORY_RETENTION_JOB:
        return this.retention.run();
      default:
        this.logger.warn({ job_name: job.name }, 'unknown maintenance job; ignored');
        return null;
    }
  }
}
