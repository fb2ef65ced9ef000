import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SummarizeJobResult } from '../../src/jobs/summarize-job';
import type { HistoryEntry } from '../../src/persistence/history/history-entry';
import { HistoryOutbox } from '../../src/persistence/history/history-outbox';
import { HistoryWriter } from '../../src/persistence/history/history.writer';
import { TestDatabase } from '../support/postgres';
import { deleteKeysWithPrefix, startTestApp, waitFor, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-environment';

const result = (summary: string): SummarizeJobResult => ({
  summary,
  tags: ['a', 'b'],
  input_type: 'text',
  provider: 'local',
  model: 'extractive-v1',
  usage: null,
  fallback: false,
});

/** An outbox entry as a worker records it, finished at `finishedAt`, archiving `summary` under `hash`. */
function entry(id: string, hash: string, summary: string, finishedAt: Date): HistoryEntry {
  const at = finishedAt.toISOString();
  return {
    row: {
      id,
      input_hash: hash,
      input_type: 'text',
      status: 'completed',
      source_url: null,
      final_url: null,
      title: null,
      fetched_at: null,
      summary,
      tags: ['a', 'b'],
      provider: 'local',
      model: 'extractive-v1',
      model_version: null,
      fallback: false,
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
      cost_usd: null,
      stage_timings: null,
      processing_time_ms: 5,
      error: null,
      attempts: 1,
      api_key_id: null,
      scope_owner: null,
      created_at: at,
      finished_at: at,
    },
    archive: [{ hash, result: result(summary) }],
  };
}

describe('the history writer: idempotent upserts, newest archive entry wins, bad entries do not block (real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: TestApp;
  let outbox: HistoryOutbox;
  const redis = new Redis(TEST_REDIS_URL);

  beforeAll(async () => {
    db = await TestDatabase.create();
    app = await startTestApp({ env: { DATABASE_URL: db.url, PROCESS_ROLE: 'worker' } });
    outbox = app.app.get(HistoryOutbox);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    if (app) await deleteKeysWithPrefix(TEST_REDIS_URL, app.env.REDIS_KEY_PREFIX);
    redis.disconnect();
  });

  const stream = () => `${app.env.REDIS_KEY_PREFIX}history:outbox`;
  /** Entries ever added to the stream (XINFO STREAM entries-added), 0 before the first. */
  const added = async () => {
    const info = (await redis.xinfo('STREAM', stream()).catch(() => [])) as unknown[];
    const at = info.indexOf('entries-added');
    return at >= 0 ? Number(info[at + 1]) : 0;
  };
  let recorded = 0;
  /** Records the entries through the outbox, then waits until the writer has committed and removed them. */
  const recordAll = async (...entries: HistoryEntry[]) => {
    for (const item of entries) outbox.record(item);
    recorded += entries.length;
    await waitFor(async () => ((await added()) >= recorded ? true : undefined), { what: 'the XADDs' });
    await waitFor(async () => ((await redis.xlen(stream())) === 0 ? true : undefined), {
      what: 'the outbox to drain',
    });
  };

  it('writes an entry recorded several times once, and keeps the newest archive entry whatever the order', async () => {
    const id = randomUUID();
    const hash = `hash-${randomUUID()}`;
    const older = new Date(Date.now() - 60_000);
    const newer = new Date();
    // The same job three times (a retry after a crash records it again): one batch, most likely.
    await recordAll(...Array.from({ length: 3 }, () => entry(id, hash, 'Newest summary.', newer)));
    // Then, in later batches, an older summary of the same input (it must not roll the archive back), and the job
    // once more.
    await recordAll(entry(randomUUID(), hash, 'Older summary.', older));
    const archived = () =>
      db.query<{ result: SummarizeJobResult }>('select result from summary_archive where hash = $1', [hash]);
    expect(await db.count('job_history', `input_hash = '${hash}'`)).toBe(2);
    expect((await archived())[0].result).toEqual(result('Newest summary.'));
    await recordAll(entry(id, hash, 'Newest summary.', newer));
    expect(await db.count('job_history', `id = '${id}'`)).toBe(1);
    expect((await archived())[0].result).toEqual(result('Newest summary.'));
  });

  it('drops an entry PostgreSQL refuses, logs it, and writes the rest of its batch', async () => {
    const writer = app.app.get(HistoryWriter);
    const rejectedBefore = writer.rowsRejected;
    const good = [randomUUID(), randomUUID()];
    await recordAll(
      entry(good[0], `h-${randomUUID()}`, 'Fine.', new Date()),
      entry('not-a-uuid', `h-${randomUUID()}`, 'Bad id.', new Date()),
      entry(randomUUID(), `h-${randomUUID()}`, 'A NUL \u0000 PostgreSQL cannot store.', new Date()),
      entry(good[1], `h-${randomUUID()}`, 'Fine too.', new Date()),
    );
    expect(await db.count('job_history', `id in ('${good[0]}', '${good[1]}')`)).toBe(2);
    expect(writer.rowsRejected - rejectedBefore).toBe(2);
  });
});
