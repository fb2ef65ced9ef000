import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../../core/config/environment';
import { AnalyticsHourlyRepository } from '../analytics/analytics-hourly.repository';
import { SummaryArchiveRepository } from '../archive/summary-archive.repository';
import { JobHistoryRepository } from '../history/job-history.repository';

/** Rows one DELETE removes, and the most batches one run makes (further rows wait for the next run). */
export const RETENTION_BATCH_SIZE = 5_000;
export const RETENTION_MAX_BATCHES = 200;

export interface RetentionOutcome {
  readonly historyDeleted: number;
  readonly archiveDeleted: number;
  readonly hourlyDeleted: number;
  /** DELETE statements made (job_history and summary_archive). */
  readonly batches: number;
}

/**
 * Deletes job history (and hourly analytics) older than HISTORY_RETENTION_DAYS and archive entries older than
 * ARCHIVE_MAX_AGE, in batches: each DELETE is a short transaction, so the writer and readers never wait behind one
 * huge one, and a run is bounded (RETENTION_MAX_BATCHES); what is left goes in the next run.
 */
@Injectable()
export class HistoryRetentionService {
  private readonly logger = new Logger(HistoryRetentionService.name);
  private readonly retentionMs: number;
  private readonly archiveMaxAgeMs: number;

  constructor(
    private readonly history: JobHistoryRepository,
    private readonly archive: SummaryArchiveRepository,
    private readonly hourly: AnalyticsHourlyRepository,
    config: ConfigService<Environment, true>,
  ) {
    this.retentionMs = config.get('HISTORY_RETENTION_DAYS', { infer: true }) * 86_400_000;
    this.archiveMaxAgeMs = config.get('ARCHIVE_MAX_AGE', { infer: true }) * 1000;
  }

  async run({
    batchSize = RETENTION_BATCH_SIZE,
    maxBatches = RETENTION_MAX_BATCHES,
  } = {}): Promise<RetentionOutcome> {
    const now = Date.now();
    const historyCutoff = new Date(now - this.retentionMs);
    const archiveCutoff = new Date(now - this.archiveMaxAgeMs);
    let batches = 0;
    const drain = async (deleteBatch: () => Promise<number>): Promise<number> => {
      let total = 0;
      while (batches < maxBatches) {
        const deleted = await deleteBatch();
        batches++;
        total += deleted;
        if (deleted < batchSize) break;
      }
      return total;
    };
    const historyDeleted = await drain(() => this.history.deleteCreatedBefore(historyCutoff, batchSize));
    const archiveDeleted = await drain(() => this.archive.deleteUpdatedBefore(archiveCutoff, batchSize));
    const hourlyDeleted = await this.hourly.deleteBefore(historyCutoff);
    if (historyDeleted + archiveDeleted > 0) {
      this.logger.log(
        { history_deleted: historyDeleted, archive_deleted: archiveDeleted, batches },
        'retention',
      );
    }
    return { historyDeleted, archiveDeleted, hourlyDeleted, batches };
  }
}
