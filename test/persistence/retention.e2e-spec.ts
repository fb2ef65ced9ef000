import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HistoryRetentionService } from '../../src/persistence/maintenance/history-retention.service';
import {
  COPY_HOURLY_ANALYTICS_JOB,
  HISTORY_RETENTION_JOB,
  PERSISTENCE_MAINTENANCE_QUEUE,
} from '../../src/persistence/persistence.constants';
import { TestDatabase } from '../support/postgres';
import { deleteKeysWithPrefix, startTestApp, waitFor, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-environment';

/** `n` history rows created `daysAgo` days ago (generated in PostgreSQL). */
const historyRows = (n: number, daysAgo: number) => `
  insert into job_history (id, input_hash, input_type, status, attempts, created_at, finished_at)
  select gen_random_uuid(), md5(g::text), 'text', 'completed', 1,
         now() - interval '${daysAgo} days' - g * interval '1 second', now() - interval '${daysAgo} days'
  from generate_series(1, ${n}) g`;

const archiveRows = (n: number, daysAgo: number) => `
  insert into summary_archive (hash, result, created_at, updated_at)
  select md5(random()::text || g::text), '{"summary":"s","tags":[]}'::jsonb,
         now() - interval '${daysAgo} days', now() - interval '${daysAgo} days'
  from generate_series(1, ${n}) g`;

describe('retention: history past HISTORY_RETENTION_DAYS and archive past ARCHIVE_MAX_AGE go, in batches', () => {
  let db: TestDatabase;
  let api: TestApp;
  let retention: HistoryRetentionService;

  beforeAll(async () => {
    db = await TestDatabase.create();
    api = await startTestApp({
      env: { DATABASE_URL: db.url, HISTORY_RETENTION_DAYS: '90', ARCHIVE_MAX_AGE: '30d' },
    });
    retention = api.app.get(HistoryRetentionService);
    // A job scheduler with `every` runs its first job at once: let it finish before the rows below exist, so it cannot
    // delete them behind the tests' back (the next run is an hour away).
    const queue = api.app.get<Queue>(getQueueToken(PERSISTENCE_MAINTENANCE_QUEUE));
    await waitFor(
      async () =>
        (await queue.getJobs(['completed', 'failed'])).some((job) => job.name === HISTORY_RETENTION_JOB)
          ? true
          : undefined,
      { what: 'the first scheduled retention run' },
    );
  });
  beforeEach(async () => {
    await db.query('truncate job_history, summary_archive, analytics_hourly');
    await db.query(historyRows(1_050, 100));
    await db.query(historyRows(20, 89));
    await db.query(archiveRows(30, 31));
    await db.query(archiveRows(5, 29));
    await db.query(
      `insert into analytics_hourly (bucket) values (date_trunc('hour', now()) - interval '91 days'), (date_trunc('hour', now()))`,
    );
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
    if (api) await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  it('deletes exactly the expired rows, at most one batch per statement', async () => {
    const outcome = await retention.run({ batchSize: 100 });
    expect(outcome).toEqual({ historyDeleted: 1_050, archiveDeleted: 30, hourlyDeleted: 1, batches: 11 + 1 });
    expect(await db.count('job_history')).toBe(20);
    expect(await db.count('job_history', `created_at < now() - interval '90 days'`)).toBe(0);
    expect(await db.count('summary_archive')).toBe(5);
    expect(await db.count('analytics_hourly')).toBe(1);
  });

  it('stops after maxBatches, oldest rows first, and finishes in the next run', async () => {
    const oldest = await db.query<{ id: string }>('select id from job_history order by created_at limit 300');
    const first = await retention.run({ batchSize: 100, maxBatches: 3 });
    expect(first).toMatchObject({ historyDeleted: 300, archiveDeleted: 0, batches: 3 });
    expect(await db.count('job_history')).toBe(1_070 - 300);
    // The oldest went first.
    const ids = oldest.map(({ id }) => `'${id}'`).join(',');
    expect(await db.count('job_history', `id in (${ids})`)).toBe(0);
    const second = await retention.run({ batchSize: 1_000 });
    expect(second).toMatchObject({ historyDeleted: 750, archiveDeleted: 30 });
    expect(await db.count('job_history')).toBe(20);
  });

  it('is scheduled as BullMQ job schedulers, with the hourly analytics copy', async () => {
    const queue = api.app.get<Queue>(getQueueToken(PERSISTENCE_MAINTENANCE_QUEUE));
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map(({ key }) => key).sort()).toEqual(
      [COPY_HOURLY_ANALYTICS_JOB, HISTORY_RETENTION_JOB].sort(),
    );
    expect(schedulers.every(({ every }) => Number(every) > 0)).toBe(true);
  });
});
