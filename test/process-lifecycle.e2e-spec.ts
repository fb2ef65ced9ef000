import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeGeminiApi } from './fakes/fake-gemini-api';
import { Redis } from 'ioredis';
import { DisposableRedisServer, freePort } from './support/redis-server';
import { ServiceProcess } from './support/service-process';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from './support/test-environment';

/** How long a step may take before the test calls it a hang. */
const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);

describe('the service process: start-up, crashes and graceful shutdown', () => {
  const processes: ServiceProcess[] = [];
  const start = (env: Record<string, string>) => {
    const child = ServiceProcess.start(env);
    processes.push(child);
    return child;
  };
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((child) => child.stop()));
  });

  it('exits within 10 s, saying where it looked and how to start Redis, when Redis is unreachable', async () => {
    const port = await freePort();
    const started = Date.now();
    const child = start({ REDIS_URL: `redis://127.0.0.1:${port}`, PORT: '0' });
    const { code } = await within(child.exited, 10_000, 'exit without Redis');
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(child.stderr).toContain(`Cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(child.stderr).toMatch(/redis-server|docker compose/);
  });

  it('says so at once when Redis wants a password it was not given', async () => {
    const redis = await DisposableRedisServer.start();
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'requirepass', 'not-given');
      const child = start({ REDIS_URL: redis.url, PORT: '0' });
      const { code } = await within(child.exited, 10_000, 'exit on refused credentials');
      expect(code).toBe(1);
      expect(child.stderr).toContain(`Redis at ${redis.url}`);
      expect(child.stderr).toMatch(/refused our credentials \(NOAUTH/);
      expect(child.stderr).toContain('redis://:PASSWORD@host:6379');
      expect(child.stderr).not.toMatch(/start one/i);
    } finally {
      admin.disconnect();
      await redis.dispose();
    }
  });

  it('refuses to start and lists every bad variable in one message, before loading the application', async () => {
    const started = Date.now();
    const child = start({
      PORT: 'eighty',
      WORKER_COUNT: '0',
      CACHE_TTL: '-5',
      REDIS_URL: 'http://nope',
      AI_PROVIDER: 'openai',
      FETCH_ALLOWED_HOSTS: 'intranet',
    });
    const { code } = await within(child.exited, 10_000, 'exit on bad configuration');
    expect(code).toBe(1);
    // ~0.2 s on an idle machine (the app is imported only after the checks); the bound leaves room for a loaded one.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(child.stderr).toContain('PORT="eighty": must be an integer from 0 to 65535');
    for (const name of ['PORT', 'WORKER_COUNT', 'CACHE_TTL', 'REDIS_URL'])
      expect(child.stderr).toContain(name);
    expect(child.stderr.match(/^Invalid configuration/gm)).toHaveLength(1);
  });

  it('serves the API in its own process and logs JSON lines that tie the request id to the job id', async () => {
    const port = await freePort();
    const prefix = uniquePrefix();
    const api = start({
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      PROCESS_ROLE: 'api',
      PORT: String(port),
    });
    try {
      await waitFor(
        async () => (api.logs().some((l) => /API listening/.test(String(l.msg))) ? true : undefined),
        {
          what: 'the API to listen',
        },
      );
      const response = await fetch(`http://127.0.0.1:${port}/api/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'req-7f3a' },
        body: JSON.stringify({ input: 'Logged request. It queues a job. The log says which.' }),
      });
      const { job_id: jobId } = (await response.json()) as { job_id: string };
      const queued = await waitFor(async () => api.logs().find((l) => l.msg === 'job queued'), {
        what: 'the log line',
      });
      expect(queued).toMatchObject({ request_id: 'req-7f3a', job_id: jobId, level: 30 });
      expect(typeof queued.time).toBe('number');
    } finally {
      await api.stop();
      await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
    }
  });

  describe('with workers in their own processes', () => {
    const prefix = uniquePrefix();
    let gemini: FakeGeminiApi;
    let api: TestApp;
    let aiEnv: Record<string, string>;

    beforeAll(async () => {
      gemini = await new FakeGeminiApi({ apiKey: 'test-key' }).start();
      aiEnv = { AI_PROVIDER: 'gemini', GEMINI_API_KEY: 'test-key', GEMINI_BASE_URL: gemini.url };
      // The test's own API process only serves; the jobs run in the child workers.
      api = await startTestApp({ env: { ...aiEnv, REDIS_KEY_PREFIX: prefix, PROCESS_ROLE: 'api' } });
    });
    afterAll(async () => {
      await api.close();
      await gemini.stop();
      await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
    });

    const workerEnv = (extra: Record<string, string> = {}) => ({
      ...aiEnv,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      PROCESS_ROLE: 'worker',
      JOB_LOCK_MS: '2000',
      STALLED_INTERVAL_MS: '1000',
      // 'job completed' is a debug line.
      LOG_LEVEL: 'debug',
      ...extra,
    });

    it('completes, in another worker, a job whose worker was SIGKILLed mid-job (stalled recovery)', async () => {
      gemini.reset().enqueue(FakeGeminiApi.hang());
      const first = start(workerEnv());
      const submitted = await api.post('/api/submit', {
        input: 'A worker dies here. Another one takes over. The job completes.',
      });
      expect(submitted.status).toBe(202);
      await waitForJob(api, submitted.body.job_id, ['processing']);
      await waitFor(async () => (gemini.calls.length === 1 ? true : undefined), { what: 'the AI call' });

      first.signal('SIGKILL');
      await first.exited;
      const second = start(workerEnv());

      const done = await waitForJob(api, submitted.body.job_id, ['completed', 'failed'], 30_000);
      expect(done).toMatchObject({ status: 'completed', provider: 'gemini' });
      expect(gemini.calls).toHaveLength(2);
      // The surviving worker's structured logs carry the job id.
      expect(second.logs().some((l) => l.job_id === submitted.body.job_id && l.msg === 'job completed')).toBe(
        true,
      );
    });

    it('on SIGTERM stops taking jobs, lets the running one finish, and exits 0', async () => {
      gemini.reset().enqueue(FakeGeminiApi.hang(1_500));
      const worker = start(workerEnv());
      const running = await api.post('/api/submit', {
        input: 'A slow job. Shutdown waits for it. Then the worker exits.',
      });
      await waitForJob(api, running.body.job_id, ['processing']);

      worker.signal('SIGTERM');
      await waitFor(
        async () =>
          worker.logs().some((l) => l.msg === 'worker closing: finishing running jobs') ? true : undefined,
        {
          what: 'the worker to start closing',
        },
      );
      const queuedLater = await api.post('/api/submit', {
        input: 'Submitted during shutdown. No worker takes it. It waits.',
      });
      const { code } = await within(worker.exited, 10_000, 'graceful shutdown');

      expect(code).toBe(0);
      expect(await api.get(`/api/status/${running.body.job_id}`)).toMatchObject({
        body: { status: 'completed' },
      });
      expect(await api.get(`/api/status/${queuedLater.body.job_id}`)).toMatchObject({
        body: { status: 'pending' },
      });
      expect(gemini.calls).toHaveLength(1);
    });

    it('bounds the shutdown: a job that never ends is cancelled before SHUTDOWN_TIMEOUT_MS and requeued uncharged', async () => {
      // Every call hangs (the job left pending by the previous test may be taken as well).
      gemini.reset().enqueue(FakeGeminiApi.hang(), FakeGeminiApi.hang());
      const worker = start(workerEnv({ SHUTDOWN_TIMEOUT_MS: '3000' }));
      const stuck = await api.post('/api/submit', {
        input: 'This job never ends. Shutdown gives up on it. The process exits.',
      });
      await waitForJob(api, stuck.body.job_id, ['processing']);
      const signalled = Date.now();
      worker.signal('SIGTERM');
      const { code } = await within(worker.exited, 6_000, 'bounded shutdown');
      expect(code).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(3_000);
      // Back in the queue for another worker, its attempts untouched.
      expect(await api.get(`/api/status/${stuck.body.job_id}`)).toMatchObject({
        body: { status: 'pending', attempts: 0 },
      });
    });
  });
});
