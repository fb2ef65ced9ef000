import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Job history, summary archive, hourly analytics. Indexes serve `GET /api/jobs` (newest first, keyset on
 * created_at DESC, id DESC, alone or after a status or input_type filter), the analytics per hour/day (finished_at)
 * and retention (created_at, updated_at).
 */
export const initialSchema: Migration = {
  // Migrations see the database as it was then, not the current Database type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('job_history')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('input_hash', 'text', (c) => c.notNull())
      .addColumn('input_type', 'text', (c) => c.notNull().check(sql`input_type in ('text', 'url')`))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('completed', 'failed')`))
      .addColumn('source_url', 'text')
      .addColumn('final_url', 'text')
      .addColumn('title', 'text')
      .addColumn('fetched_at', 'timestamptz')
      .addColumn('summary', 'text')
      .addColumn('tags', sql`text[]`)
      .addColumn('provider', 'text')
      .addColumn('model', 'text')
      .addColumn('model_version', 'text')
      .addColumn('fallback', 'boolean')
      .addColumn('input_tokens', 'integer')
      .addColumn('output_tokens', 'integer')
      .addColumn('total_tokens', 'integer')
      .addColumn('cost_usd', sql`numeric(14, 6)`)
      .addColumn('stage_timings', 'jsonb')
      .addColumn('processing_time_ms', 'integer')
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('api_key_id', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('finished_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await sql`create index job_history_created_idx on job_history (created_at desc, id desc)`.execute(db);
    await sql`create index job_history_status_created_idx on job_history (status, created_at desc, id desc)`.execute(
      db,
    );
    await sql`create index job_history_input_type_created_idx on job_history (input_type, created_at desc, id desc)`.execute(
      db,
    );
    await sql`create index job_history_finished_idx on job_history (finished_at)`.execute(db);

    await db.schema
      .createTable('summary_archive')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('result', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await sql`create index summary_archive_updated_idx on summary_archive (updated_at)`.execute(db);

    await db.schema
      .createTable('analytics_hourly')
      .addColumn('bucket', 'timestamptz', (c) => c.primaryKey())
      .addColumn('requests', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('cache_hits', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('cache_misses', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('deduplicated', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('archive_hits', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('tokens_saved', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('analytics_hourly').execute();
    await db.schema.dropTable('summary_archive').execute();
    await db.schema.dropTable('job_history').execute();
  },
};
