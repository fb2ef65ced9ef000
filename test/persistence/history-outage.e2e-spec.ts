import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../../src/ai/summarizer';
import {
  HISTORY_WRITER_OPTIONS,
  type HistoryWriterOptions,
} from '../../src/persistence/history/history.writer';
import { HISTORY_WRITER_GROUP } from '../../src/persistence/history/history-outbox.reader';
import { DisposablePostgresCluster, TestDatabase } from '../support/postgres';
import { ScriptedSummarizer } from '../support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

/** Short waits, so a dead writer's entries are taken over within the test (production: 60 s idle). */
const WRITER_OPTIONS: HistoryWriterOptions = {
  batchSize: 7,
  claimIdleMs: 1_000,
  claimEveryMs: 300,
  maxBackoffMs: 500,
};

describe('a PostgreSQL outage: jobs go on, and every row arrives once PostgreSQL is back (private cluster)', () => {
  let cluster: DisposablePostgresCluster;
  let db: TestDatabase;
  const prefix = uniquePrefix();
  const redis = new Redis(TEST_REDIS_URL);
  const apps: TestApp[] = [];
  const outbox = `${prefix}history:outbox`;

  const start = async () => {
    const app = await startTestApp({
      env: { DATABASE_URL: db.url, REDIS_KEY_PREFIX: prefix, WORKER_COUNT: '4', DATABASE_TIMEOUT_MS: '200' },
      override: (b) =>
        b
          .overrideProvider(SUMMARIZER)
          .useValue(new ScriptedSummarizer())
          .overrideProvider(HISTORY_WRITER_OPTIONS)
          .useValue(WRITER_OPTIONS),
    });
    apps.push(app);
    return app;
  };

  const submitAll = async (app: TestApp, label: string, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { body } = await app.post('/api/submit', { input: `${label} job ${i}. It has two sentences.` });
      ids.push(body.job_id);
    }
    // Every job completes: the outage is not on the job's path.
    for (const id of ids) expect((await waitForJob(app, id)).status).toBe('completed');
    return ids;
  };

  beforeAll(async () => {
    cluster = await DisposablePostgresCluster.start();
    db = await TestDatabase.create(cluster.url);
  });
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
    redis.disconnect();
    cluster?.dispose();
  });

  it('completes jobs during the outage, then writes each of their rows exactly once, even after its writer died', async () => {
    const first = await start();
    const before = await submitAll(first, 'Before', 5);
    await waitFor(async () => ((await db.count('job_history')) === 5 ? true : undefined), { what: '5 rows' });

    cluster.stop();
    const during = await submitAll(first, 'During', 30);
    // The writer has read entries it cannot write: they are pending for its consumer, not lost.
    await waitFor(
      async () => {
        const [pending] = (await redis.xpending(outbox, HISTORY_WRITER_GROUP)) as [number];
        return pending > 0 ? true : undefined;
      },
      { what: 'entries pending for the writer' },
    );
    // The writer's process goes away while PostgreSQL is still down: its pending entries are left to another.
    await first.close();
    apps.length = 0;

    cluster.start();
    const second = await start();
    const after = await submitAll(second, 'After', 5);
    const all = [...before, ...during, ...after];
    await waitFor(async () => ((await db.count('job_history')) >= all.length ? true : undefined), {
      what: `${all.length} rows`,
      timeoutMs: 30_000,
    });

    const rows = await db.query<{ id: string; status: string }>(
      'select id, status from job_history order by id',
    );
    expect(rows.map(({ id }) => id)).toEqual([...all].sort());
    expect(rows.every(({ status }) => status === 'completed')).toBe(true);
    // Nothing left behind in the outbox: every entry written, acknowledged and deleted.
    await waitFor(async () => ((await redis.xlen(outbox)) === 0 ? true : undefined), {
      what: 'an empty outbox',
    });
    const [pending] = (await redis.xpending(outbox, HISTORY_WRITER_GROUP)) as [number];
    expect(pending).toBe(0);
    // The archive got each summary once, too.
    expect(await db.count('summary_archive')).toBe(all.length);
  });
});
