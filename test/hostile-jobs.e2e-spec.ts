import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type LocalServer } from './content/local-server';
import { ServiceProcess } from './support/service-process';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from './support/test-environment';

/** 1,000,000 unclosed <div>s: 5 MB, under FETCH_MAX_BYTES, and minutes of parsing for a DOM builder. */
const HUGE_PAGE = `<!doctype html><html><head><title>divs</title></head><body>${'<div>'.repeat(1_000_000)}`;
const EXTRACT_TIMEOUT_MS = 8_000;
const FETCH_TIMEOUT_MS = 3_000;
const SHUTDOWN_TIMEOUT_MS = 6_000;
const NORMAL_JOBS = 100;

/** An origin that answers with a status line, then one byte of a header every 200 ms, forever. */
async function startSlowHeaderOrigin(): Promise<{ server: Server; hostPort: string; url: string }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const drip = setInterval(() => socket.write('x'), 200);
    socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nX-Slow: '));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      sockets.delete(socket);
    });
  });
  server.on('close', () => sockets.forEach((socket) => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, hostPort: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}/slow` };
}

/**
 * No job can stall a worker process: pages that take minutes to parse and an origin that never finishes its
 * headers, next to ordinary jobs, in ONE worker process (the built service, as deployed).
 */
describe('hostile jobs cannot stall a worker process', () => {
  const prefix = uniquePrefix();
  let origin: LocalServer;
  let slow: Awaited<ReturnType<typeof startSlowHeaderOrigin>>;
  let api: TestApp;
  let worker: ServiceProcess;

  beforeAll(async () => {
    origin = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(HUGE_PAGE);
    });
    slow = await startSlowHeaderOrigin();
    const env = {
      REDIS_KEY_PREFIX: prefix,
      FETCH_ALLOWED_HOSTS: `${origin.hostPort},${slow.hostPort}`,
      FETCH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS),
      EXTRACT_TIMEOUT_MS: String(EXTRACT_TIMEOUT_MS),
      JOB_ATTEMPTS: '1',
    };
    api = await startTestApp({ env: { ...env, PROCESS_ROLE: 'api' } });
    worker = ServiceProcess.start({
      ...env,
      REDIS_URL: TEST_REDIS_URL,
      PROCESS_ROLE: 'worker',
      WORKER_COUNT: '8',
      CPU_POOL_SIZE: '2',
      // Short locks: a worker whose event loop stopped would lose its jobs to stalled-job recovery within seconds.
      JOB_LOCK_MS: '2000',
      STALLED_INTERVAL_MS: '1000',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      LOG_LEVEL: 'info',
    });
    await waitFor(
      async () => (worker.logs().some((l) => /worker started/.test(String(l.msg))) ? true : undefined),
      {
        what: 'the worker to start',
        timeoutMs: 30_000,
      },
    );
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await origin?.close();
    await new Promise((resolve) => slow?.server.close(resolve));
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  it('finishes ordinary jobs while two huge pages and a slow origin run out their budgets, then fails those with reasons', async () => {
    const hostile = await Promise.all([
      api.post('/api/submit', { input: origin.url('/huge-a') }),
      api.post('/api/submit', { input: origin.url('/huge-b') }),
      api.post('/api/submit', { input: slow.url }),
    ]);
    // The hostile jobs go first, so they hold their threads and connection while the ordinary ones are processed.
    await Promise.all(hostile.map(({ body }) => waitForJob(api, body.job_id, ['processing'], 30_000)));
    const normal = await Promise.all(
      Array.from({ length: NORMAL_JOBS }, (_, i) =>
        api.post('/api/submit', {
          input: `Ordinary job ${i} of ${prefix}. It has a few plain sentences. A worker summarizes it quickly.`,
        }),
      ),
    );
    const normalDone = await Promise.all(
      normal.map(({ body }) => waitForJob(api, body.job_id, undefined, 60_000)),
    );
    const [hugeA, hugeB, slowHeaders] = await Promise.all(
      hostile.map(({ body }) => waitForJob(api, body.job_id, undefined, 60_000)),
    );

    expect(normalDone.every((job) => job.status === 'completed')).toBe(true);
    // Every ordinary job finished before either huge page gave up: nothing waited for the pages' parsing.
    const lastNormal = Math.max(...normalDone.map((job) => Date.parse(job.finished_at)));
    expect(lastNormal).toBeLessThan(Math.min(Date.parse(hugeA.finished_at), Date.parse(hugeB.finished_at)));

    for (const page of [hugeA, hugeB]) {
      expect(page).toMatchObject({ status: 'failed', attempts: 1 });
      expect(page.error).toBe(
        `The page took too long to process (more than ${EXTRACT_TIMEOUT_MS / 1000} s).`,
      );
      // Within its budget (after the fetch of 5 MB), with margin for a loaded machine; one attempt: never stalled.
      expect(page.processing_time_ms).toBeLessThan(EXTRACT_TIMEOUT_MS + FETCH_TIMEOUT_MS + 10_000);
    }
    expect(slowHeaders).toMatchObject({ status: 'failed', attempts: 1 });
    expect(slowHeaders.error).toBe(`The page took longer than ${FETCH_TIMEOUT_MS / 1000} s to download.`);
    expect(slowHeaders.processing_time_ms).toBeLessThan(FETCH_TIMEOUT_MS + 5_000);
  });

  it('honours SIGTERM within SHUTDOWN_TIMEOUT_MS while a page is being parsed', async () => {
    const stuck = await api.post('/api/submit', { input: origin.url('/huge-c') });
    await waitForJob(api, stuck.body.job_id, ['processing'], 30_000);
    // Let the fetch finish, so the thread is parsing when the signal comes.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const signalled = Date.now();
    worker.signal('SIGTERM');
    const { code } = await worker.exited;
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_000);
    // Cancelled by the shutdown and put back uncharged, for another worker.
    expect((await api.get(`/api/status/${stuck.body.job_id}`)).body).toMatchObject({
      status: 'pending',
      attempts: 0,
    });
  });
});
