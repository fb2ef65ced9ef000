/**
 * The hand-written handlers the service is compared against, plain Fastify + ioredis (auto-pipelining on).
 *
 * Plain (default): the same work as a hit with keys off: SHA-256 of the input, `GET {prefix}summary:{hash}`, one
 * counter `INCR` (fire-and-forget), and the same response fields. On a miss it does what the service does, with BullMQ
 * directly: `queue.add` with the service's job options and deduplication id, and a 202 with the job id (the miss
 * section's reference row).
 *
 * BENCH_BASELINE_ACCESS=keys (hit-keys section, scripts/bench/access-bench.ts): the same work as a hit with API keys
 * and limits on, written the way one would by hand. Per request: the bearer key is parsed and checked for form, its
 * SHA-256 names the key record (id = first 16 hex digits, as the service derives it), and the service's own access
 * script (ACCESS_CHECK_LUA: key record, revocation, the sliding window counted) runs by EVALSHA in the same
 * auto-pipeline as the cache `GET`, so both cost one round trip; then the plain hit's `INCR`, and the RateLimit-Policy /
 * RateLimit fields on the answer. Unknown or revoked keys get a 401, a refused request a 429. What it leaves out of the
 * service's work: batching across requests (one script call and one GET per request here), per-key usage counts,
 * problem-details bodies, the private-scope guess (a private key's hit costs a second trip here), and on a miss the
 * daily job quota (the miss is the plain one).
 *
 * BENCH_BASELINE_ACCESS=keys-batched: the same, with the one thing the service does that the obvious way does not:
 * the checks of one event-loop turn share one script call (each client named once), so Redis runs the script once per
 * batch rather than once per request.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Redis, type Result } from 'ioredis';
import { ACCESS_CHECK_LUA } from '../../src/access/access-check.script';
import { SERVICE_JOB_OPTIONS } from './common';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    baselineAccessCheck(numKeys: number, ...keysAndArgs: Array<string | number>): Result<string, Context>;
  }
}

const prefix = process.env.BENCH_PREFIX ?? '';
const access = process.env.BENCH_BASELINE_ACCESS;
const withKeys = access === 'keys' || access === 'keys-batched';
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

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const summaryKey = (hash: string) => `${prefix}summary:${hash}`;

function hitAnswer(json: string) {
  redis.incr(`${prefix}baseline:hits`).catch(() => undefined);
  const cached = JSON.parse(json) as Cached;
  return {
    status: 'completed',
    cache: 'hit',
    summary: cached.summary,
    tags: cached.tags,
    input_type: cached.input_type,
  };
}

async function miss(input: string, hash: string, reply: FastifyReply) {
  const job = await queue.add(
    'summarize',
    { inputType: 'text', input, inputHash: hash },
    { ...SERVICE_JOB_OPTIONS, jobId: randomUUID(), deduplication: { id: hash } },
  );
  return reply.code(202).send({ job_id: job.id, status: 'pending', cache: 'miss', input_type: 'text' });
}

function inputOf(request: FastifyRequest): string | null {
  const input = (request.body as { input?: unknown } | null)?.input;
  return typeof input === 'string' && input.length > 0 ? input : null;
}

async function plainHandler(request: FastifyRequest, reply: FastifyReply) {
  const input = inputOf(request);
  if (input === null) return reply.code(400).send({ statusCode: 400 });
  const hash = sha256(input);
  const json = await redis.get(summaryKey(hash));
  return json === null ? miss(input, hash, reply) : hitAnswer(json);
}

// ---------------------------------------------------------------------------------------------------------------
// Keys mode: the same rules as src/access (credentials.ts, api-key-secret.ts, access-check.repository.ts), by hand.

/** The service's window: 60 s in 100 ms buckets. */
const WINDOW_MS = 60_000;
const BUCKET_MS = 100;
const DEFAULT_RPM = Number(process.env.RATE_LIMIT_RPM ?? 0);
const DEFAULT_DAILY_JOBS = Number(process.env.DAILY_JOB_LIMIT ?? 1_000);
const BEARER = /^bearer +(\S+) *$/i;
const API_KEY_FORMAT = /^sk_[A-Za-z0-9_-]{43,128}$/;

if (withKeys) redis.defineCommand('baselineAccessCheck', { lua: ACCESS_CHECK_LUA });

function unauthorized(reply: FastifyReply, detail: string) {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="smartcache"')
    .send({ status: 401, detail });
}

/** One script call per request: the obvious way. */
async function oneCheck(id: string, secretSha256: string): Promise<number[]> {
  const reply = await redis.baselineAccessCheck(
    2,
    `${prefix}ratelimit:key:${id}`,
    `${prefix}apikey:${id}`,
    Date.now(),
    WINDOW_MS,
    BUCKET_MS,
    1,
    DEFAULT_RPM,
    DEFAULT_DAILY_JOBS,
    secretSha256,
    1,
  );
  return reply.split(',').map(Number);
}

/**
 * keys-batched: the checks of one event-loop turn in one script call (at most 128), each client named once, as the
 * service's AccessCheckRepository does; flushed on setImmediate, ahead of ioredis's own flush of the GETs.
 */
const pending: Array<{
  id: string;
  secretSha256: string;
  resolve: (fields: number[]) => void;
  reject: (error: unknown) => void;
}> = [];
function batchedCheck(id: string, secretSha256: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    if (pending.length === 0) setImmediate(flushChecks);
    pending.push({ id, secretSha256, resolve, reject });
  });
}
function flushChecks(): void {
  const batch = pending.splice(0, 128);
  if (pending.length > 0) setImmediate(flushChecks);
  const clients = new Map<string, number>();
  const keys: string[] = [];
  const secrets: string[] = [];
  const indexes: number[] = [];
  for (const { id, secretSha256 } of batch) {
    let index = clients.get(secretSha256);
    if (index === undefined) {
      index = clients.size + 1;
      clients.set(secretSha256, index);
      keys.push(`${prefix}ratelimit:key:${id}`, `${prefix}apikey:${id}`);
      secrets.push(secretSha256);
    }
    indexes.push(index);
  }
  redis
    .baselineAccessCheck(
      keys.length,
      ...keys,
      Date.now(),
      WINDOW_MS,
      BUCKET_MS,
      clients.size,
      DEFAULT_RPM,
      DEFAULT_DAILY_JOBS,
      ...secrets,
      ...indexes,
    )
    .then(
      (reply) => {
        const fields = reply.split(',').map(Number);
        batch.forEach(({ resolve }, i) => resolve(fields.slice(i * 7, i * 7 + 7)));
      },
      (error: unknown) => batch.forEach(({ reject }) => reject(error)),
    );
}

async function keysHandler(request: FastifyRequest, reply: FastifyReply) {
  const authorization = request.headers.authorization;
  const key = authorization && authorization.length <= 256 ? BEARER.exec(authorization)?.[1] : undefined;
  if (key === undefined || !API_KEY_FORMAT.test(key))
    return unauthorized(reply, 'A well-formed API key is required.');
  const input = inputOf(request);
  if (input === null) return reply.code(400).send({ statusCode: 400 });
  const secretSha256 = sha256(key);
  const id = secretSha256.slice(0, 16);
  const hash = sha256(input);
  // Issued in the same tick: ioredis sends both in one write and reads both replies in one read. (The check first:
  // batched, it must be flushed before ioredis writes the GET, or the two would take two round trips.)
  const [check, cachedJson] = await Promise.all([
    access === 'keys-batched' ? batchedCheck(id, secretSha256) : oneCheck(id, secretSha256),
    redis.get(summaryKey(hash)),
  ]);
  // status, scope, limit, remaining, reset ms, retry ms, daily job limit
  const [status, scope, limit, remaining, resetMs, retryMs, dailyJobs] = check;
  if (status === 2) return unauthorized(reply, 'Unknown API key.');
  if (status === 3) return unauthorized(reply, 'This API key has been revoked.');
  let policy = limit > 0 ? `"minute";q=${limit};w=60` : '';
  if (dailyJobs > 0) policy += `${policy ? ', ' : ''}"daily-jobs";q=${dailyJobs};w=86400`;
  if (policy) void reply.header('ratelimit-policy', policy);
  if (status === 1) {
    const retry = Math.max(1, Math.ceil(retryMs / 1000));
    return reply
      .code(429)
      .headers({ ratelimit: `"minute";r=0;t=${retry}`, 'retry-after': String(retry) })
      .send({ status: 429, detail: `Too many requests: ${limit} per minute for this API key.` });
  }
  if (limit > 0)
    void reply.header('ratelimit', `"minute";r=${remaining};t=${Math.max(0, Math.ceil(resetMs / 1000))}`);
  // A private key's entries live under a hash of its id and the shared hash (src/jobs/cache-scope.ts).
  const scopedHash = scope === 1 ? sha256(`private\n${id}\n${hash}`) : hash;
  const json = scope === 1 ? await redis.get(summaryKey(scopedHash)) : cachedJson;
  return json === null ? miss(input, scopedHash, reply) : hitAnswer(json);
}

app.post('/api/submit', withKeys ? keysHandler : plainHandler);

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
