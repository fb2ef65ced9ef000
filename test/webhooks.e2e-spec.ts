import { Queue, UnrecoverableError } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../src/ai/summarizer';
import { SUMMARIZE_QUEUE, WEBHOOKS_QUEUE } from '../src/jobs/queue.constants';
import type { WebhookDeliveryData } from '../src/webhooks/webhook-delivery';
import { WebhookPromoter } from '../src/webhooks/webhook.promoter';
import { WebhookRegistrar } from '../src/webhooks/webhook.registrar';
import { WebhookReceiver, type ReceivedWebhook } from './fakes/webhook-receiver';
import { ScriptedSummarizer } from './support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-environment';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
/** Attempts per delivery in these tests (small, with a small backoff, so failures end fast). */
const ATTEMPTS = 3;

/** The webhooks queue of an app, read directly to see a delivery's state, attempts and reason. */
function deliveriesOf(api: TestApp): Queue<WebhookDeliveryData> {
  return new Queue<WebhookDeliveryData>(WEBHOOKS_QUEUE, {
    connection: { url: TEST_REDIS_URL },
    prefix: `${api.env.REDIS_KEY_PREFIX}bull`,
  });
}

async function webhookCounts(api: TestApp): Promise<{ delivered: number; failed: number }> {
  const { body } = await api.get('/api/analytics');
  return { delivered: body.webhooks_delivered, failed: body.webhooks_failed };
}

/**
 * The analytics' webhook counts once every delivery of the app has ended and been counted (an earlier test's last
 * delivery may still be on its way to the counters): they then equal the delivered and failed jobs of the queue.
 */
function settledCounts(api: TestApp, deliveries: Queue): Promise<{ delivered: number; failed: number }> {
  return waitFor(
    async () => {
      const jobs = await deliveries.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'completed',
        'failed',
      );
      const counts = await webhookCounts(api);
      const running = jobs.waiting + jobs.active + jobs.delayed + jobs.prioritized;
      return running === 0 && counts.delivered === jobs.completed && counts.failed === jobs.failed
        ? counts
        : undefined;
    },
    { what: 'every delivery to end and be counted' },
  );
}

/** Waits until `path` of the receiver got at least `count` requests; returns them. */
function receivedAt(
  receiver: WebhookReceiver,
  path: string,
  count: number,
  timeoutMs = 15_000,
): Promise<ReceivedWebhook[]> {
  return waitFor(() => Promise.resolve(receiver.on(path).length >= count ? receiver.on(path) : undefined), {
    timeoutMs,
    what: `${count} webhook request(s) at ${path}`,
  });
}

describe('webhooks (real Redis, real workers, a receiver on loopback verifying with standardwebhooks)', () => {
  const summarizer = new ScriptedSummarizer();
  let receiver: WebhookReceiver;
  /** A receiver on a loopback port that is NOT in FETCH_ALLOWED_HOSTS: nothing may ever reach it. */
  let outsider: WebhookReceiver;
  let api: TestApp;
  let deliveries: Queue<WebhookDeliveryData>;

  beforeAll(async () => {
    [receiver, outsider] = await Promise.all([
      new WebhookReceiver(SECRET).start(),
      new WebhookReceiver(SECRET).start(),
    ]);
    api = await startTestApp({
      env: {
        WEBHOOK_SECRET: SECRET,
        FETCH_ALLOWED_HOSTS: receiver.hostPort,
        WEBHOOK_MAX_ATTEMPTS: String(ATTEMPTS),
        WEBHOOK_BACKOFF_MS: '50',
        WEBHOOK_TIMEOUT_MS: '3000',
        // Far beyond every wait below: each delivery here must be started by the worker that ends its job (or, for a
        // late registration, by the registrar), never by its re-check.
        WEBHOOK_RECHECK_MS: '600000',
      },
      override: (b) => b.overrideProvider(SUMMARIZER).useValue(summarizer),
    });
    deliveries = deliveriesOf(api);
  });
  afterAll(async () => {
    summarizer.release();
    await deliveries?.close();
    await api?.close();
    await Promise.all([receiver?.stop(), outsider?.stop()]);
    if (api) await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  it('delivers a job’s end, signed; a 500 is retried with the same webhook-id, the same body and a valid signature', async () => {
    receiver.script('/retry', { status: 500, body: { error: 'try again later' } });
    const before = await settledCounts(api, deliveries);
    // Held until the delivery is registered: the job ends after, and its worker starts the delivery.
    summarizer.hold();
    const submitted = await api.post('/api/submit', {
      input: 'Webhook retry check. The receiver fails once and then accepts.',
      callback_url: receiver.url('/retry'),
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ cache: 'miss', job_id: expect.any(String) });
    summarizer.release();

    const [first, second] = await receivedAt(receiver, '/retry', 2);
    expect([first.answeredStatus, second.answeredStatus]).toEqual([500, 204]);
    for (const request of [first, second]) {
      expect(request.verifyError).toBeUndefined();
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toMatch(/^SmartCacheAI-Webhooks\//);
      expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    }
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.rawBody).toBe(first.rawBody);
    expect(Number(second.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(
      Number(first.headers['webhook-timestamp']),
    );

    // The data is exactly what GET /api/status answers; the timestamp is the job's end.
    const status = (await api.get(`/api/status/${submitted.body.job_id}`)).body;
    expect(status.status).toBe('completed');
    expect(second.payload).toEqual({ type: 'job.completed', timestamp: status.finished_at, data: status });

    const id = first.headers['webhook-id'];
    await waitFor(async () => ((await deliveries.getJobState(id)) === 'completed' ? true : undefined), {
      what: 'the delivery to be completed',
    });
    expect((await deliveries.getJob(id))?.attemptsMade).toBe(2);
    await waitFor(
      async () => ((await webhookCounts(api)).delivered === before.delivered + 1 ? true : undefined),
      { what: 'webhooks_delivered to count it' },
    );
    await sleep(300);
    expect(receiver.on('/retry')).toHaveLength(2);
    expect((await webhookCounts(api)).failed).toBe(before.failed);
  });

  it('retries an attempt that got no answer within WEBHOOK_TIMEOUT_MS', async () => {
    // The first request is never answered; the attempt gives up after the timeout and the retry is accepted.
    receiver.script('/slow', { status: 204, body: '', delayMs: Infinity });
    const submitted = await api.post('/api/submit', {
      input: 'Slow receiver check. The first attempt times out.',
      callback_url: receiver.url('/slow'),
    });
    expect(submitted.status).toBe(202);
    const [first, second] = await receivedAt(receiver, '/slow', 2);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.verifyError).toBeUndefined();
    const id = first.headers['webhook-id'];
    await waitFor(async () => ((await deliveries.getJobState(id)) === 'completed' ? true : undefined), {
      what: 'the delivery to complete after the timed-out attempt',
    });
    const job = await deliveries.getJob(id);
    expect(job?.attemptsMade).toBe(2);
    // The failed attempt's error is kept with the delivery.
    expect((job?.stacktrace ?? []).join('\n')).toMatch(/no answer within 3000 ms/);
  });

  it('delivers job.failed, with the failed status, for a job that failed for good', async () => {
    summarizer.hold().thenRun(() => Promise.reject(new UnrecoverableError('the model refused this input')));
    const submitted = await api.post('/api/submit', {
      input: 'Webhook failure check. This job fails for good.',
      callback_url: receiver.url('/failed'),
    });
    expect(submitted.status).toBe(202);
    summarizer.release();

    const [delivery] = await receivedAt(receiver, '/failed', 1);
    expect(delivery.verifyError).toBeUndefined();
    const status = (await api.get(`/api/status/${submitted.body.job_id}`)).body;
    expect(status).toMatchObject({ status: 'failed', error: expect.stringContaining('refused') });
    expect(delivery.payload).toEqual({ type: 'job.failed', timestamp: status.finished_at, data: status });
  });

  it('gives each submitter that joins a job its own delivery, also two with the same URL', async () => {
    summarizer.hold();
    const input = 'Joined webhook check. Three submitters wait for the same job.';
    const a = await api.post('/api/submit', { input, callback_url: receiver.url('/join-a') });
    const b = await api.post('/api/submit', { input, callback_url: receiver.url('/join-b') });
    const c = await api.post('/api/submit', { input, callback_url: receiver.url('/join-a') });
    expect(a.body.cache).toBe('miss');
    expect(b.body).toMatchObject({ cache: 'deduplicated', job_id: a.body.job_id });
    expect(c.body).toMatchObject({ cache: 'deduplicated', job_id: a.body.job_id });

    // Nothing goes out while the job runs.
    await waitFor(() =>
      Promise.resolve(summarizer.requests.some((r) => r.text === input) ? true : undefined),
    );
    await sleep(300);
    expect(receiver.on('/join-a')).toHaveLength(0);
    expect(receiver.on('/join-b')).toHaveLength(0);

    summarizer.release();
    const atA = await receivedAt(receiver, '/join-a', 2);
    const atB = await receivedAt(receiver, '/join-b', 1);
    const all = [...atA, ...atB];
    expect(new Set(all.map((r) => r.headers['webhook-id'])).size).toBe(3);
    for (const request of all) {
      expect(request.verifyError).toBeUndefined();
      expect(request.payload).toMatchObject({
        type: 'job.completed',
        data: { job_id: a.body.job_id, status: 'completed' },
      });
    }
    await sleep(300);
    expect(receiver.on('/join-a')).toHaveLength(2);
    expect(receiver.on('/join-b')).toHaveLength(1);
  });

  it('gives every valid item of a batch its own delivery, and none to an invalid one', async () => {
    const inputs = [
      'Batch webhook check one. It has two sentences.',
      42,
      'Batch webhook check two. Also two.',
    ];
    const answer = await api.post('/api/submit/batch', { inputs, callback_url: receiver.url('/batch') });
    expect(answer.status).toBe(200);
    expect(answer.body.results.map((r: { status: string }) => r.status === 'error')).toEqual([
      false,
      true,
      false,
    ]);
    const received = await receivedAt(receiver, '/batch', 2);
    const jobIds = received.map((r) => (r.payload as { data: { job_id: string } }).data.job_id).sort();
    expect(jobIds).toEqual([answer.body.results[0].job_id, answer.body.results[2].job_id].sort());
    await sleep(300);
    expect(receiver.on('/batch')).toHaveLength(2);
  });

  it('delivers a cache hit at once, with the hit as its data', async () => {
    const input = 'Hit webhook check. The summary is cached before the callback is asked for.';
    const miss = await api.post('/api/submit', { input });
    await waitForJob(api, miss.body.job_id);
    const hit = await api.post('/api/submit', { input, callback_url: receiver.url('/hit') });
    expect(hit.status).toBe(200);
    expect(hit.body.cache).toBe('hit');

    const [delivery] = await receivedAt(receiver, '/hit', 1);
    expect(delivery.verifyError).toBeUndefined();
    expect(delivery.payload).toEqual({
      type: 'job.completed',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: {
        job_id: null,
        status: 'completed',
        cache: 'hit',
        source: 'cache',
        summary: hit.body.summary,
        tags: hit.body.tags,
        error: null,
        input_type: 'text',
      },
    });
  });

  it('starts a registration made after its job ended at once (a join racing the completion)', async () => {
    const submitted = await api.post('/api/submit', {
      input: 'Late registration check. The job ends first.',
    });
    await waitForJob(api, submitted.body.job_id);
    // What SubmitService does for a join whose job completes between the enqueue and the registration.
    const id = await api.app
      .get(WebhookRegistrar)
      .register(receiver.url('/late'), { cache: 'deduplicated', job_id: submitted.body.job_id });

    const [delivery] = await receivedAt(receiver, '/late', 1, 10_000);
    expect(delivery.headers['webhook-id']).toBe(id);
    expect(delivery.payload).toMatchObject({ data: { job_id: submitted.body.job_id, status: 'completed' } });
  });

  it(`keeps a delivery that never succeeds as failed after ${ATTEMPTS} attempts, and counts it`, async () => {
    receiver.always('/down', { status: 503, body: 'down for maintenance' });
    const before = await settledCounts(api, deliveries);
    const submitted = await api.post('/api/submit', {
      input: 'Failing receiver check. Every attempt gets a 503.',
      callback_url: receiver.url('/down'),
    });
    expect(submitted.status).toBe(202);

    await waitFor(async () => ((await webhookCounts(api)).failed === before.failed + 1 ? true : undefined), {
      what: 'webhooks_failed to count the delivery',
    });
    const requests = receiver.on('/down');
    expect(requests).toHaveLength(ATTEMPTS);
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(requests.every((r) => r.verifyError === undefined)).toBe(true);
    const id = requests[0].headers['webhook-id'];
    expect(await deliveries.getJobState(id)).toBe('failed');
    const job = await deliveries.getJob(id);
    expect(job?.attemptsMade).toBe(ATTEMPTS);
    expect(job?.failedReason).toMatch(/HTTP 503/);
    expect((await webhookCounts(api)).delivered).toBe(before.delivered);
    await sleep(300);
    expect(receiver.on('/down')).toHaveLength(ATTEMPTS);
  });

  it('does not follow a redirect: a 3xx is a failed attempt and the target is never requested', async () => {
    receiver.always('/moved', { status: 302, body: '', headers: { location: receiver.url('/landed') } });
    const before = await settledCounts(api, deliveries);
    await api.post('/api/submit', {
      input: 'Redirecting receiver check. The receiver answers 302.',
      callback_url: receiver.url('/moved'),
    });
    await waitFor(async () => ((await webhookCounts(api)).failed === before.failed + 1 ? true : undefined), {
      what: 'the redirected delivery to fail',
    });
    expect(receiver.on('/moved')).toHaveLength(ATTEMPTS);
    expect(receiver.on('/landed')).toHaveLength(0);
    const job = await deliveries.getJob(receiver.on('/moved')[0].headers['webhook-id']);
    expect(job?.failedReason).toMatch(/HTTP 302 .*redirects are not followed/);
  });

  it('never reaches a loopback port missing from FETCH_ALLOWED_HOSTS: refused at submit as an IP, failed at once as a name', async () => {
    const literal = await api.post('/api/submit', {
      input: 'Blocked callback check. An IP literal.',
      callback_url: outsider.url('/hook'),
    });
    expect(literal.status).toBe(400);
    expect(literal.body.errors).toEqual([
      {
        detail: expect.stringMatching(/127\.0\.0\.1 \(loopback\), which is not a public address/),
        pointer: '#/callback_url',
      },
    ]);

    const before = await settledCounts(api, deliveries);
    const byName = `http://localhost:${new URL(outsider.origin).port}/hook`;
    const named = await api.post('/api/submit', {
      input: 'Blocked callback check. A host name that resolves to loopback.',
      callback_url: byName,
    });
    expect(named.status).toBe(202);
    await waitFor(async () => ((await webhookCounts(api)).failed === before.failed + 1 ? true : undefined), {
      what: 'the blocked delivery to fail',
    });
    const [failed] = (await deliveries.getFailed()).filter((job) => job.data.url === byName);
    // Refused at the connection, before any byte was sent: one attempt, no retry.
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/localhost:\d+ is a private, loopback or reserved address/);
    expect(outsider.received).toHaveLength(0);
  });

  it('answers 400 problem details naming callback_url for URLs that can never be delivered to, and queues nothing', async () => {
    const summarizeQueue = new Queue(SUMMARIZE_QUEUE, {
      connection: { url: TEST_REDIS_URL },
      prefix: `${api.env.REDIS_KEY_PREFIX}bull`,
    });
    const jobCount = () =>
      summarizeQueue.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed');
    const before = { analytics: (await api.get('/api/analytics')).body, jobs: await jobCount() };
    const bad: unknown[] = [
      'not a url',
      'ftp://example.com/hook',
      'javascript:alert(1)',
      'https://user:secret@example.com/hook',
      'http://10.0.0.1/hook',
      'http://[::1]/hook',
      'http://2130706433/hook',
      `https://example.com/${'a'.repeat(2100)}`,
      '',
      42,
      null,
    ];
    for (const callback of bad) {
      const response = await api.post('/api/submit', {
        input: 'Bad callback check. Never queued.',
        callback_url: callback,
      });
      expect(response.status, JSON.stringify(callback)).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors, JSON.stringify(callback)).toEqual([
        { detail: expect.stringContaining('callback_url'), pointer: '#/callback_url' },
      ]);
    }
    // Unknown fields are still refused.
    const unknown = await api.post('/api/submit', { input: 'x', callback: receiver.url('/x') });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { detail: 'property callback should not exist', pointer: '#/callback' },
    ]);

    expect((await api.get('/api/analytics')).body.total_requests).toBe(before.analytics.total_requests);
    expect(await jobCount()).toBe(before.jobs);
    await summarizeQueue.close();
  });
});

describe('webhooks off (no WEBHOOK_SECRET)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ env: { PROCESS_ROLE: 'api' } });
  });
  afterAll(async () => {
    await api?.close();
    if (api) await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  it('answers 400 to a callback_url, saying why, and queues nothing', async () => {
    const response = await api.post('/api/submit', {
      input: 'No secret check. Webhooks are off.',
      callback_url: 'https://hooks.example.com/smartcache',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { detail: expect.stringContaining('WEBHOOK_SECRET is not set'), pointer: '#/callback_url' },
    ]);
    expect((await api.get('/api/analytics')).body.total_requests).toBe(0);
    // Without a callback_url the same submission is queued as usual.
    expect((await api.post('/api/submit', { input: 'No secret check. Webhooks are off.' })).status).toBe(202);
  });
});

describe('crash safety: a delivery whose start was missed still goes out at its re-check', () => {
  const summarizer = new ScriptedSummarizer();
  let receiver: WebhookReceiver;
  let api: TestApp;
  let deliveries: Queue<WebhookDeliveryData>;
  const RECHECK_MS = 250;

  beforeAll(async () => {
    receiver = await new WebhookReceiver(SECRET).start();
    api = await startTestApp({
      env: {
        WEBHOOK_SECRET: SECRET,
        FETCH_ALLOWED_HOSTS: receiver.hostPort,
        WEBHOOK_MAX_ATTEMPTS: '2',
        WEBHOOK_BACKOFF_MS: '50',
        WEBHOOK_RECHECK_MS: String(RECHECK_MS),
      },
      override: (b) =>
        b
          .overrideProvider(SUMMARIZER)
          .useValue(summarizer)
          // As if the worker died right after completing the job: the job's end is never announced.
          .overrideProvider(WebhookPromoter)
          .useValue({ jobEnded: () => undefined }),
    });
    deliveries = deliveriesOf(api);
  });
  afterAll(async () => {
    summarizer.release();
    await deliveries?.close();
    await api?.close();
    await receiver?.stop();
    if (api) await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  it('waits through several re-checks without using attempts, then delivers the final status', async () => {
    summarizer.hold();
    const submitted = await api.post('/api/submit', {
      input: 'Re-check delivery. The worker never announces the end of this job.',
      callback_url: receiver.url('/recheck'),
    });
    expect(submitted.status).toBe(202);
    // Held for more re-checks than the delivery has attempts: a re-check that used one would fail the delivery.
    await sleep(RECHECK_MS * 6);
    expect(receiver.on('/recheck')).toHaveLength(0);
    const [waiting] = await deliveries.getDelayed();
    expect(waiting.data).toMatchObject({ jobId: submitted.body.job_id });
    expect(waiting.attemptsMade).toBe(0);
    expect(waiting.attemptsStarted).toBeGreaterThanOrEqual(3);

    summarizer.release();
    const [delivery] = await receivedAt(receiver, '/recheck', 1);
    expect(delivery.verifyError).toBeUndefined();
    const status = (await api.get(`/api/status/${submitted.body.job_id}`)).body;
    expect(delivery.payload).toEqual({ type: 'job.completed', timestamp: status.finished_at, data: status });
    await waitFor(
      async () => ((await deliveries.getJobState(waiting.id ?? '')) === 'completed' ? true : undefined),
      { what: 'the delivery to complete' },
    );
    expect((await deliveries.getJob(waiting.id ?? ''))?.attemptsMade).toBe(1);
  });
});
