import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../../src/ai/summarizer';
import { AnalyticsSampler } from '../../src/dashboard/analytics-sampler';
import { TestApiKeys } from '../support/api-keys';
import { DelayingProxy } from '../support/delaying-proxy';
import { ScriptedSummarizer } from '../support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitForJob, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

/** Added to every trip to Redis while measuring: large against the rest of a request even at load average 10 (a
 * hit that took two trips would take 2 s; the rest of a request gets a whole second of margin). */
const DELAY_MS = 1_000;

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

describe('a cache hit with API keys and limits on waits for one Redis round trip', () => {
  const prefix = uniquePrefix();
  const keys = new TestApiKeys(prefix);
  let proxy: DelayingProxy;
  let api: TestApp;

  beforeAll(async () => {
    proxy = await DelayingProxy.start(
      Number(new URL(TEST_REDIS_URL).port || 6379),
      new URL(TEST_REDIS_URL).hostname,
    );
    api = await startTestApp({
      env: {
        REDIS_URL: proxy.url,
        REDIS_KEY_PREFIX: prefix,
        API_KEYS_REQUIRED: 'true',
        RATE_LIMIT_RPM: '1000',
        DAILY_JOB_LIMIT: '100',
      },
      override: (builder) => builder.overrideProvider(SUMMARIZER).useValue(new ScriptedSummarizer()),
    });
    // The dashboard's once-a-second analytics read shares the request-path connection. ioredis runs one
    // auto-pipeline per connection at a time, so a hit sent while that read is out waits for its reply first: one
    // trip more that is not the hit's own. Measured here is what the hit itself costs.
    api.app.get(AnalyticsSampler).stop();
  });
  afterAll(async () => {
    proxy.delayMs = 0;
    await api.close();
    await proxy.close();
    keys.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  const timed = async <T>(call: () => Promise<T>) => {
    const started = performance.now();
    const result = await call();
    return { result, ms: performance.now() - started };
  };

  it('answers hits of shared and private keys, the first request of a key included, in about one delay', async () => {
    const input = 'One round trip per hit. The key check rides with the cache read.';
    const sharedKey = await keys.create();
    const privateKey = await keys.create({ cache: 'private' });
    for (const key of [sharedKey, privateKey]) {
      const miss = await api.post('/api/submit', { input }, key.auth);
      await waitForJob({ get: (path) => api.get(path, key.auth) }, miss.body.job_id);
    }
    // Keys this process has never seen: it does not know their scope yet.
    const fresh = [await keys.create(), await keys.create()];

    proxy.delayMs = DELAY_MS;
    const hits: number[] = [];
    for (const key of [...fresh, sharedKey, privateKey, sharedKey, privateKey, sharedKey]) {
      const { result, ms } = await timed(() => api.post('/api/submit', { input }, key.auth));
      expect(result).toMatchObject({ status: 200, body: { cache: 'hit' } });
      expect(result.headers['ratelimit']).toMatch(/^"minute";r=\d+/);
      hits.push(ms);
    }
    // The delay is really there: nothing answers faster than one trip…
    expect(Math.min(...hits)).toBeGreaterThanOrEqual(DELAY_MS);
    // …and no hit waits for two (the cache read after the check would take 2 × DELAY_MS).
    expect(Math.max(...hits)).toBeLessThan(2 * DELAY_MS);

    // The same measure sees two trips where there are two: the status route checks first, then reads the job.
    const status = await timed(() =>
      api.get('/api/status/1b4e28ba-2fa1-11d2-883f-0016d3cca427', sharedKey.auth),
    );
    expect(status.result.status).toBe(404);
    expect(status.ms).toBeGreaterThanOrEqual(2 * DELAY_MS);
    expect(median(hits)).toBeLessThan(1.5 * DELAY_MS);
  });
});
