import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Kysely, Transaction } from 'kysely';
import type { Environment } from '../../core/config/environment';
import type { SummarizeJobResult } from '../../jobs/summarize-job';
import { withDeadline } from '../../core/runtime/with-deadline';
import type { Database } from '../database/database.types';
import { DATABASE } from '../persistence.constants';
import type { ArchiveRecord } from '../history/history-entry';

/** An archive entry to write, with the time its summary was made (newest wins). */
export interface ArchiveWrite extends ArchiveRecord {
  readonly at: string;
}

class ArchiveTimeoutError extends Error {
  constructor() {
    super('the summary archive did not answer in time');
    this.name = 'ArchiveTimeoutError';
  }
}

/**
 * summary_archive: every summary a job cached, under the same hash as Redis `summary:{hash}`, kept longer than the
 * cache (ARCHIVE_MAX_AGE). The API looks here on a Redis miss; the HistoryWriter fills it.
 */
@Injectable()
export class SummaryArchiveRepository {
  private readonly logger = new Logger(SummaryArchiveRepository.name);
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;

  constructor(
    @Inject(DATABASE) private readonly db: Kysely<Database>,
    config: ConfigService<Environment, true>,
  ) {
    this.maxAgeMs = config.get('ARCHIVE_MAX_AGE', { infer: true }) * 1000;
    this.timeoutMs = config.get('DATABASE_TIMEOUT_MS', { infer: true });
  }

  /**
   * The archived result for `hash` when it was made less than ARCHIVE_MAX_AGE ago, else null. Bounded by
   * DATABASE_TIMEOUT_MS; a timeout or an outage also answers null (logged), so the caller queues the job as it would
   * without an archive: PostgreSQL never turns a submission into an error.
   */
  async find(hash: string): Promise<SummarizeJobResult | null> {
    const youngerThan = new Date(Date.now() - this.maxAgeMs);
    try {
      const row = await withDeadline(
        this.db
          .selectFrom('summary_archive')
          .select('result')
          .where('hash', '=', hash)
          .where('updated_at', '>', youngerThan)
          .executeTakeFirst(),
        this.timeoutMs,
        () => new ArchiveTimeoutError(),
      );
      return row?.result ?? null;
    } catch (error) {
      this.logger.warn({ err: error }, 'summary archive unavailable; queuing the job instead');
      return null;
    }
  }

  /**
   * Inserts or replaces entries by hash inside the writer's transaction; the newest summary wins, so a batch
   * written again after an older one cannot roll an entry back.
   */
  async upsert(trx: Transaction<Database>, entries: readonly ArchiveWrite[]): Promise<void> {
    if (entries.length === 0) return;
    await trx
      .insertInto('summary_archive')
      .values(
        entries.map(({ hash, result, at }) => ({
          hash,
          result: JSON.stringify(result),
          created_at: at,
          updated_at: at,
        })),
      )
      .onConflict((conflict) =>
        conflict
          .column('hash')
          .doUpdateSet((eb) => ({
            result: eb.ref('excluded.result'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          .where('summary_archive.updated_at', '<=', (eb) => eb.ref('excluded.updated_at')),
      )
      .execute();
  }

  /** Deletes up to `batchSize` entries last made before `cutoff`, oldest first; returns how many. */
  async deleteUpdatedBefore(cutoff: Date, batchSize: number): Promise<number> {
    const result = await this.db
      .deleteFrom('summary_archive')
      .where('hash', 'in', (eb) =>
        eb
          .selectFrom('summary_archive')
          .select('hash')
          .where('updated_at', '<', cutoff)
          .orderBy('updated_at')
          .limit(batchSize),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
