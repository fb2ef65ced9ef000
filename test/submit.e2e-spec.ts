import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../src/ai/summarizer';
import { ScriptedSummarizer } from './support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-environment';

const ARTICLE =
  'The city council approved a new budget on Monday. It funds three new libraries and a bus line. ' +
  'Critics said the plan raises taxes too much. The mayor called it a fair compromise.';

describe('submit, status and cache (real Redis, real workers)', () => {
  let api: TestApp;
  const summarizer = new ScriptedSummarizer();

  beforeAll(async () => {
    api = await startTestApp({ override: (b) => b.overrideProvider(SUMMARIZER).useValue(summarizer) });
  });
  afterAll(async () => {
    await api.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  it('queues a miss, completes it, then answers the same input from the cache', async () => {
    const miss = await api.post('/api/submit', { input: ARTICLE });
    expect(miss.status).toBe(202);
    expect(miss.body).toMatchObject({ status: 'pending', cache: 'miss' });
    expect(miss.body.job_id).toMatch(/^[0-9a-f-]{36}$/);

    const done = await waitForJob(api, miss.body.job_id);
    expect(done).toMatchObject({
      job_id: miss.body.job_id,
      status: 'completed',
      summary: 'Summary: The city council approved a new budget on Monday.',
      tags: ['alpha', 'beta'],
      error: null,
      input_type: 'text',
    });
    expect(Date.parse(done.created_at)).toBeLessThanOrEqual(Date.parse(done.finished_at));
    expect(done.processing_time_ms).toBeGreaterThanOrEqual(0);

    // Different spacing and Unicode composition of the same text: the same cache entry.
    const spelledOtherwise = `  ${ARTICLE.replace(/ /g, '  \n')}  `;
    const hit = await api.post('/api/submit', { input: spelledOtherwise });
    expect(hit.status).toBe(200);
    expect(hit.body).toEqual({
      status: 'completed',
      cache: 'hit',
      source: 'cache',
      summary: done.summary,
      tags: done.tags,
      input_type: 'text',
    });
  });

  it('treats NFC and NFD spellings as one input', async () => {
    const nfc = 'Café society met in Zürich. The talks were long. Everyone left late.';
    const first = await api.post('/api/submit', { input: nfc });
    await waitForJob(api, first.body.job_id);
    const second = await api.post('/api/submit', { input: nfc.normalize('NFD') });
    expect(second.body.cache).toBe('hit');
  });

  it('answers 404 with a JSON error for an unknown job id', async () => {
    const response = await api.get('/api/status/does-not-exist');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({
      status: 404,
      title: 'Not Found',
      detail: expect.stringContaining('does-not-exist'),
    });
  });

  it('shows a job as processing while the summarizer works, then completed', async () => {
    summarizer.hold();
    const submitted = await api.post('/api/submit', {
      input: 'A held job. It waits for the test. Then it goes on.',
    });
    const processing = await waitForJob(api, submitted.body.job_id, ['processing']);
    expect(processing).toMatchObject({ status: 'processing', summary: null, tags: null, finished_at: null });

    const again = await api.post('/api/submit', {
      input: 'A held job. It waits for the test. Then it goes on.',
    });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({
      job_id: submitted.body.job_id,
      status: 'processing',
      cache: 'deduplicated',
    });

    summarizer.release();
    expect(await waitForJob(api, submitted.body.job_id)).toMatchObject({ status: 'completed' });
  });

  it('retries a failed attempt and completes on the next one', async () => {
    summarizer.thenRun(() => Promise.reject(new Error('upstream hiccup')));
    const submitted = await api.post('/api/submit', { input: 'Retry me once. The second try works. Good.' });
    const done = await waitForJob(api, submitted.body.job_id);
    expect(done).toMatchObject({ status: 'completed', attempts: 2 });
  });

  it('marks a job failed with its reason when the failure cannot be retried', async () => {
    const callsBefore = summarizer.calls;
    summarizer.thenRun(() => Promise.reject(new UnrecoverableError('the model refused this input')));
    const submitted = await api.post('/api/submit', {
      input: 'This one fails for good. No retry helps. Sorry.',
    });
    const failed = await waitForJob(api, submitted.body.job_id);
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'the model refused this input',
      summary: null,
      tags: null,
      attempts: 1,
    });
    expect(failed.finished_at).not.toBeNull();
    expect(summarizer.calls).toBe(callsBefore + 1);

    // A failed job does not block a later submission of the same input: a new job is made.
    const retried = await api.post('/api/submit', {
      input: 'This one fails for good. No retry helps. Sorry.',
    });
    expect(retried.body).toMatchObject({ cache: 'miss' });
    expect(retried.body.job_id).not.toBe(submitted.body.job_id);
    await waitForJob(api, retried.body.job_id);
  });

  it('keeps analytics consistent: total = hits + misses + deduplicated', async () => {
    const analytics = await waitFor(async () => {
      const { body } = await api.get('/api/analytics');
      return body.jobs_completed + body.jobs_failed >= 6 ? body : undefined;
    });
    // Every POST of this file: 6 misses, 2 hits, 1 deduplicated.
    expect(analytics).toMatchObject({
      total_requests: 9,
      cache_misses: 6,
      cache_hits: 2,
      deduplicated: 1,
      jobs_failed: 1,
      jobs_completed: 5,
    });
    expect(analytics.hit_rate).toBeCloseTo(2 / 9, 3);
    expect(analytics.failure_rate).toBeCloseTo(1 / 6, 3);
    expect(analytics.queue_size).toBe(0);
  });
});
