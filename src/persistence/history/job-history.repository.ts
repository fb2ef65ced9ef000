import { Inject, Injectable } from '@nestjs/common';
import { type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import type { InputType } from '../../jobs/summarize-job';
import type { Database, JobHistoryTable } from '../database/database.types';
import { DATABASE } from '../persistence.constants';
import type { JobHistoryRecord } from './history-entry';

export type JobHistoryRow = Selectable<JobHistoryTable>;

/** Filters of `GET /api/jobs`; all optional. `since` inclusive, `until` exclusive, on created_at. */
export interface JobHistoryFilters {
  readonly status?: 'completed' | 'failed';
  readonly inputType?: InputType;
  readonly since?: Date;
  readonly until?: Date;
}

/** A position in the newest-first order: the last row of the previous page. */
export interface JobHistoryPosition {
  readonly createdAt: Date;
  readonly id: string;
}

/** Rows of job_history: written in batches by the HistoryWriter, read by `/api/jobs` and the status fallback. */
@Injectable()
export class JobHistoryRepository {
  constructor(@Inject(DATABASE) private readonly db: Kysely<Database>) {}

  /**
   * Inserts or replaces rows by job id, inside the writer's transaction. Idempotent: an entry written twice (a
   * retried batch, a job recorded again after a crash) leaves one row, the later version.
   */
  async upsert(trx: Transaction<Database>, records: readonly JobHistoryRecord[]): Promise<void> {
    if (records.length === 0) return;
    await trx
      .insertInto('job_history')
      .values(records.map((record) => ({ ...record, stage_timings: json(record.stage_timings) })))
      .onConflict((conflict) =>
        conflict.column('id').doUpdateSet((eb) => ({
          input_hash: eb.ref('excluded.input_hash'),
          input_type: eb.ref('excluded.input_type'),
          status: eb.ref('excluded.status'),
          source_url: eb.ref('excluded.source_url'),
          final_url: eb.ref('excluded.final_url'),
          title: eb.ref('excluded.title'),
          fetched_at: eb.ref('excluded.fetched_at'),
          summary: eb.ref('excluded.summary'),
          tags: eb.ref('excluded.tags'),
          provider: eb.ref('excluded.provider'),
          model: eb.ref('excluded.model'),
          model_version: eb.ref('excluded.model_version'),
          fallback: eb.ref('excluded.fallback'),
          input_tokens: eb.ref('excluded.input_tokens'),
          output_tokens: eb.ref('excluded.output_tokens'),
          total_tokens: eb.ref('excluded.total_tokens'),
          cost_usd: eb.ref('excluded.cost_usd'),
          stage_timings: eb.ref('excluded.stage_timings'),
          processing_time_ms: eb.ref('excluded.processing_time_ms'),
          error: eb.ref('excluded.error'),
          attempts: eb.ref('excluded.attempts'),
          api_key_id: eb.ref('excluded.api_key_id'),
          scope_owner: eb.ref('excluded.scope_owner'),
          created_at: eb.ref('excluded.created_at'),
          finished_at: eb.ref('excluded.finished_at'),
        })),
      )
      .execute();
  }

  async findById(id: string): Promise<JobHistoryRow | undefined> {
    return this.db.selectFrom('job_history').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Up to `limit` rows newest first (created_at DESC, id DESC), after `after` when given: keyset pagination, so a
   * deep page costs what the first does (an index range scan from the position), never an OFFSET.
   */
  async page(
    filters: JobHistoryFilters,
    after: JobHistoryPosition | undefined,
    limit: number,
  ): Promise<JobHistoryRow[]> {
    let query = this.db.selectFrom('job_history').selectAll();
    if (filters.status) query = query.where('status', '=', filters.status);
    if (filters.inputType) query = query.where('input_type', '=', filters.inputType);
    if (filters.since) query = query.where('created_at', '>=', filters.since);
    if (filters.until) query = query.where('created_at', '<', filters.until);
    if (after) {
      query = query.where((eb) =>
        eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, sql<string>`${after.id}::uuid`)),
      );
    }
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /** Deletes up to `batchSize` rows created before `cutoff`, oldest first; returns how many. */
  async deleteCreatedBefore(cutoff: Date, batchSize: number): Promise<number> {
    const result = await this.db
      .deleteFrom('job_history')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('job_history')
          .select('id')
          .where('created_at', '<', cutoff)
          .orderBy('created_at')
          .limit(batchSize),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** jsonb columns get JSON text: pg would turn a JavaScript array into a PostgreSQL array literal instead. */
function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
