import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../src/ai/summarizer';
import { ScriptedSummarizer } from './support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-environment';

const JOBS = 300;

/**
 * One atomic snapshot: how many completed jobs have no cached summary (and how many are completed). Runs inside Redis,
 * so no write can land between reading a job's state and looking for its summary.
 */
const COMPLETED_WITHOUT_SUMMARY = `
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local missing = 0
for _, id in ipairs(ids) do
  local data = redis.call('HGET', ARGV[1] .. id, 'data')
  if data and redis.call('EXISTS', ARGV[2] .. cjson.decode(data).inputHash) == 0 then missing = missing + 1 end
end
return { missing, #ids }`;

describe('a completed job always has its summary cached (real Redis, real workers)', () => {
  let api: TestApp;
  const redis = new Redis(TEST_REDIS_URL);

  beforeAll(async () => {
    api = await startTestApp({
      env: { WORKER_COUNT: '10' },
      override: (b) => b.overrideProvider(SUMMARIZER).useValue(new ScriptedSummarizer()),
    });
  });
  afterAll(async () => {
    await api.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
    redis.disconnect();
  });

  // The worker writes the summary without waiting for it, on the connection that completes the job right after
  // (SummarizeProcessor.process). Snapshots taken while the jobs complete check the order that relies on.
  it(`never shows a completed job without its summary, over ${JOBS} jobs`, async () => {
    const prefix = api.env.REDIS_KEY_PREFIX;
    const snapshot = async () =>
      (await redis.eval(
        COMPLETED_WITHOUT_SUMMARY,
        1,
        `${prefix}bull:summarize:completed`,
        `${prefix}bull:summarize:`,
        `${prefix}summary:`,
      )) as [number, number];

    const submitted = Promise.all(
      Array.from({ length: JOBS }, (_, i) =>
        api.post('/api/submit', { input: `Completion check ${i}. It has two sentences.` }),
      ),
    );
    let missing = 0;
    let snapshotsWhileCompleting = 0;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [missingNow, completed] = await snapshot();
      missing += missingNow;
      if (completed > 0 && completed < JOBS) snapshotsWhileCompleting++;
      if (completed >= JOBS || Date.now() > deadline) break;
    }
    // Each input made its own job; one that completed before its request answered makes that answer a hit.
    expect((await submitted).every((answer) => ['miss', 'hit'].includes(answer.body.cache))).toBe(true);
    expect((await snapshot())[1]).toBe(JOBS);
    expect(snapshotsWhileCompleting).toBeGreaterThan(10);
    expect(missing).toBe(0);
  });
});
