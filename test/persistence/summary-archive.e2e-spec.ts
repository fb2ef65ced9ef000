import { Redis } from 'ioredis';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../../src/ai/summarizer';
import { TestDatabase } from '../support/postgres';
import { freePort } from '../support/redis-server';
import { SCRIPTED_USAGE, ScriptedSummarizer } from '../support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-environment';

describe('the summary archive behind the cache (real PostgreSQL and Redis, CACHE_TTL=1)', () => {
  let db: TestDatabase;
  let api: TestApp;
  const summarizer = new ScriptedSummarizer();
  const redis = new Redis(TEST_REDIS_URL);

  beforeAll(async () => {
    db = await TestDatabase.create();
    api = await startTestApp({
      env: { DATABASE_URL: db.url, CACHE_TTL: '1' },
      override: (b) => b.overrideProvider(SUMMARIZER).useValue(summarizer),
    });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
    if (api) await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
    redis.disconnect();
  });

  /** Submits `input` as a new job, waits for it and for its archive entry; returns the cache key's Redis name. */
  async function summarizeOnce(input: string): Promise<string> {
    const queued = await api.post('/api/submit', { input });
    expect(queued.body.cache).toBe('miss');
    await waitForJob(api, queued.body.job_id);
    const [row] = await waitFor(
      async () => {
        const rows = await db.query<{ input_hash: string }>(
          'select input_hash from job_history where id = $1',
          [queued.body.job_id],
        );
        return rows.length === 1 ? rows : undefined;
      },
      { what: 'the history row' },
    );
    await waitFor(
      async () =>
        (await db.count('summary_archive', `hash = '${row.input_hash}'`)) === 1 ? true : undefined,
      {
        what: 'the archive entry',
      },
    );
    return `${api.env.REDIS_KEY_PREFIX}summary:${row.input_hash}`;
  }

  const expired = (key: string) =>
    waitFor(async () => ((await redis.exists(key)) === 0 ? true : undefined), { what: `${key} to expire` });

  it('answers from the archive after the Redis entry expired, with no new summarizer call, and re-caches it', async () => {
    const input = 'The archive keeps this summary. Redis forgets it after a second.';
    const key = await summarizeOnce(input);
    const callsBefore = summarizer.calls;
    const cached = JSON.parse((await redis.get(key)) ?? 'null');
    await expired(key);

    const answer = await api.post('/api/submit', { input });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'completed',
      cache: 'hit',
      source: 'archive',
      summary: cached.summary,
      tags: cached.tags,
      input_type: 'text',
    });
    expect(summarizer.calls).toBe(callsBefore);
    // Written back to Redis with the normal TTL (CACHE_TTL=1 s), exactly as the worker cached it.
    const restored = await waitFor(async () => (await redis.get(key)) ?? undefined, {
      what: 're-cached entry',
    });
    expect(JSON.parse(restored)).toEqual(cached);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000);

    const analytics = await waitFor(
      async () => {
        const { body } = await api.get('/api/analytics');
        return body.archive_hits === 1 ? body : undefined;
      },
      { what: 'archive_hits' },
    );
    expect(analytics).toMatchObject({
      cache_hits: 1,
      archive_hits: 1,
      tokens_saved: SCRIPTED_USAGE.totalTokens,
    });
  });

  it('does not serve an entry older than ARCHIVE_MAX_AGE: the input is summarized again', async () => {
    const input = 'An old archived summary. Too old to serve.';
    const key = await summarizeOnce(input);
    await db.query(`update summary_archive set updated_at = now() - interval '31 days'`);
    await expired(key);
    const callsBefore = summarizer.calls;
    const answer = await api.post('/api/submit', { input });
    expect(answer).toMatchObject({ status: 202, body: { cache: 'miss' } });
    await waitForJob(api, answer.body.job_id);
    expect(summarizer.calls).toBe(callsBefore + 1);
  });
});

describe('the archive lookup when PostgreSQL is unreachable or hangs', () => {
  let blackhole: Server;
  const sockets = new Set<import('node:net').Socket>();
  const apps: TestApp[] = [];

  beforeAll(async () => {
    // Accepts connections and never answers: a hung PostgreSQL.
    blackhole = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const app of apps) {
      await app.close();
      await deleteKeysWithPrefix(TEST_REDIS_URL, app.env.REDIS_KEY_PREFIX);
    }
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => blackhole.close(resolve));
  });

  it.each([
    ['refused', async () => `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`],
    [
      'hung',
      async () => `postgres://postgres@127.0.0.1:${(blackhole.address() as { port: number }).port}/nowhere`,
    ],
  ])(
    'queues the job as usual when the database is %s, within DATABASE_TIMEOUT_MS plus margin',
    async (_, url) => {
      const app = await startTestApp({
        env: { DATABASE_URL: await url(), PROCESS_ROLE: 'api', DATABASE_TIMEOUT_MS: '250' },
      });
      apps.push(app);
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const answer = await app.post('/api/submit', {
          input: `No database today, take ${i}. Queue it anyway.`,
        });
        expect(answer).toMatchObject({ status: 202, body: { cache: 'miss' } });
        // The promise is the bound (250 ms), not speed: a generous margin for a busy machine.
        expect(Date.now() - started).toBeLessThan(2_000);
      }
    },
  );
});
