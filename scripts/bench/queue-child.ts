/**
 * Child processes of the benchmark that talk to BullMQ, each in its own process (own event loop):
 *   raw-producer  — `queue.add` with the service's options, BENCH_CONCURRENCY at a time, for BENCH_DURATION_MS
 *   raw-worker    — a raw BullMQ Worker whose processor does nothing, BENCH_CONCURRENCY at a time
 *   raw-worker-equal — a raw BullMQ Worker doing the Redis work the service's worker does per text job, the same way:
 *                   the cache re-check (one awaited read), then the stage and the summary written on the completing
 *                   connection without waiting, ahead of the completion
 *   nest-worker   — the service's worker (built `dist/` AppModule, role worker) with a no-op summarizer that counts calls
 *                   and the distinct texts it was asked for; it answers after BENCH_SUMMARIZER_DELAY_MS (0: at once)
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { ROOT, runChildMode, SERVICE_JOB_OPTIONS, sleep } from './common';

const prefix = process.env.BENCH_PREFIX ?? '';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 3);
const connection = { url: redisUrl, maxRetriesPerRequest: null };

async function rawProducer(): Promise<void> {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000);
  const queue = new Queue('summarize', { connection, prefix: `${prefix}bull` });
  await queue.waitUntilReady();
  const run = process.argv[3] ?? randomUUID();
  let added = 0;
  const body = 'x'.repeat(Number(process.env.BENCH_INPUT_BYTES ?? 200));
  const started = performance.now();
  const deadline = started + durationMs;
  const lane = async () => {
    while (performance.now() < deadline) {
      const n = added++;
      const inputHash = `${run}-${n}`;
      await queue.add(
        'summarize',
        { inputType: 'text', input: `${n} ${body}`, inputHash },
        { ...SERVICE_JOB_OPTIONS, jobId: randomUUID(), deduplication: { id: inputHash } },
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - started) / 1000;
  process.send?.({ type: 'result', added, seconds });
  await queue.close();
}

async function rawWorker(): Promise<void> {
  await runRawWorker(() => Promise.resolve(undefined));
}

async function rawWorkerEqual(): Promise<void> {
  const cache = new Redis(redisUrl);
  let completion!: Redis;
  await runRawWorker(
    async (job) => {
      const key = `${prefix}summary:${job.data.inputHash}`;
      if (await cache.get(key)) return undefined;
      const result = { summary: 'A summary.', tags: ['a', 'b'], input_type: 'text', provider: 'local' };
      void job.updateProgress({ stage: 'summarizing' });
      void completion.set(key, JSON.stringify(result), 'EX', 300);
      return result;
    },
    async (worker) => {
      completion = (await worker.getBackend().client) as unknown as Redis;
    },
  );
}

async function runRawWorker(
  processor: (job: Job<{ inputHash: string }>) => Promise<unknown>,
  beforeRun?: (worker: Worker) => Promise<void>,
): Promise<void> {
  const worker = new Worker('summarize', processor, {
    connection,
    prefix: `${prefix}bull`,
    concurrency,
    autorun: false,
  });
  await worker.waitUntilReady();
  await beforeRun?.(worker);
  process.send?.({ type: 'ready' });
  worker.run().catch((error: unknown) => console.error(error));
  process.once('SIGTERM', () => void worker.close().finally(() => process.exit(0)));
}

async function nestWorker(): Promise<void> {
  // The built service (dist/): Nest needs the decorator metadata tsc emits and tsx does not.
  const dist = (file: string) => path.join(ROOT, 'dist', file);
  // Loaded with require (CommonJS), like the service itself: an ESM import would load nestjs-pino's ESM build next
  // to the CommonJS one dist/ uses, and Nest would see two LoggerModules.
  const load = createRequire(__filename);
  const { AppModule } = load(dist('app.module.js')) as typeof import('../../src/app.module');
  const { validateEnvironment } = load(
    dist('core/config/environment.js'),
  ) as typeof import('../../src/core/config/environment');
  const { SUMMARIZER } = load(dist('ai/summarizer.js')) as typeof import('../../src/ai/summarizer');
  const { Test } = load('@nestjs/testing') as typeof import('@nestjs/testing');
  const { Logger } = load('nestjs-pino') as typeof import('nestjs-pino');
  const { FastifyAdapter } = load('@nestjs/platform-fastify') as typeof import('@nestjs/platform-fastify');

  const env = validateEnvironment({
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    PROCESS_ROLE: 'worker',
    WORKER_COUNT: String(concurrency),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    AI_PROVIDER: 'local',
    // A port of the OS's choosing for the worker's /metrics: several workers run at once (section 4b), and the
    // machine may run other services' workers on the default 9464.
    METRICS_PORT: '0',
    // The persistence section measures the worker with history recording on, too.
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  });
  // A fast AI (~1 ms) lets jobs complete while a burst of identical submissions is still arriving (section 4b).
  const delayMs = Number(process.env.BENCH_SUMMARIZER_DELAY_MS ?? 0);
  let calls = 0;
  const texts = new Set<string>();
  const noop = {
    identity: { provider: 'local', model: 'noop', promptVersion: '1' },
    summarize: async ({ text }: { text: string }) => {
      calls++;
      texts.add(text);
      if (delayMs > 0) await sleep(delayMs);
      return { summary: 'A summary.', tags: ['a', 'b'] };
    },
  };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(env)] })
    .overrideProvider(SUMMARIZER)
    .useValue(noop)
    .compile();
  // As the e2e tests do: an application (never listening; role worker has no routes), so nestjs-pino gets its
  // ApplicationConfig.
  const app = moduleRef.createNestApplication(new FastifyAdapter());
  app.useLogger(app.get(Logger));
  await app.init();
  process.send?.({ type: 'ready' });
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'count') process.send?.({ type: 'result', calls, texts: [...texts] });
  });
  process.once('SIGTERM', () => void app.close().finally(() => process.exit(0)));
  // Bounded: the orchestrator stops this process; never outlive it by more than an hour.
  await sleep(3_600_000);
  process.exit(0);
}

runChildMode({
  'raw-producer': rawProducer,
  'raw-worker': rawWorker,
  'raw-worker-equal': rawWorkerEqual,
  'nest-worker': nestWorker,
});
