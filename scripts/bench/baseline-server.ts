/**
 * The hand-written handler the service is compared against. Plain Fastify + ioredis (auto-pipelining on), doing the
 * same work as a hit: SHA-256 of the input, `GET {prefix}summary:{hash}`, one counter `INCR` (fire-and-forget), and
 * the same response fields. On a miss it does what the service does, with BullMQ directly: `queue.add` with the
 * service's job options and deduplication id, and a 202 with the job id (the miss section's reference row).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { SERVICE_JOB_OPTIONS } from './common';

const prefix = process.env.BENCH_PREFIX ?? '';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
const queue = new Queue('summarize', {
  connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  prefix: `${prefix}bull`,
});
const app = Fastify({ logger: false, bodyLimit: 1_048_576 });

interface Cached {
  readonly summary: string;
  readonly tags: string[];
  readonly input_type: string;
}

app.post('/api/submit', async (request, reply) => {
  const input = (request.body as { input?: unknown } | null)?.input;
  if (typeof input !== 'string' || input.length === 0) return reply.code(400).send({ statusCode: 400 });
  const hash = createHash('sha256').update(input).digest('hex');
  const json = await redis.get(`${prefix}summary:${hash}`);
  if (json === null) {
    const job = await queue.add(
      'summarize',
      { inputType: 'text', input, inputHash: hash },
      { ...SERVICE_JOB_OPTIONS, jobId: randomUUID(), deduplication: { id: hash } },
    );
    return reply.code(202).send({ job_id: job.id, status: 'pending', cache: 'miss', input_type: 'text' });
  }
  redis.incr(`${prefix}baseline:hits`).catch(() => undefined);
  const cached = JSON.parse(json) as Cached;
  return {
    status: 'completed',
    cache: 'hit',
    summary: cached.summary,
    tags: cached.tags,
    input_type: cached.input_type,
  };
});

app.listen({ port: 0, host: '127.0.0.1' }).then(
  () => {
    const address = app.server.address();
    process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => Promise.all([redis.quit(), queue.close()]))
    .finally(() => process.exit(0));
});

// Never outlive the benchmark that started this process.
process.once('disconnect', () => process.exit(0));
