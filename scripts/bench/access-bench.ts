/**
 * Benchmark sections of API keys and limits (src/access), run by run-bench.ts:
 *
 *   hit-keys   POST /api/submit cache hits with API_KEYS_REQUIRED=true, 8 keys each with a request rate checked on every
 *              request (set high enough never to refuse), against the same hand-written Fastify + ioredis baseline as
 *              section 1, and the service with keys off, in interleaved rounds. Target: ≥ 0.9× the baseline.
 *   accuracy   1,000 requests sent as fast as possible (32 in flight) by one key with --rpm 300, split across two API
 *              processes: how many are accepted. Target: 300 to 306, every round (a fresh key per round).
 */
import type { Request as CannonRequest, Result } from 'autocannon';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { cpuSecondsOf, median, ROOT, sleep, type Child } from './common';

type ApiKeysModule = typeof import('../../src/access/api-key.repository');
type RedisKeysModule = typeof import('../../src/core/redis/redis-keys');

/** What run-bench.ts lends these sections. */
export interface AccessBenchContext {
  readonly redis: Redis;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly rounds: number;
  readonly durationS: number;
  readonly startService: (
    role: 'api' | 'all' | 'worker',
    extra?: Record<string, string>,
  ) => Promise<{ child: Child; url: string }>;
  readonly cannon: (url: string, requests: CannonRequest[], durationS: number) => Promise<Result>;
  /** The inputs and stored entries of section 1 (cached by a real worker; the baseline's copies written). */
  readonly hitInputs: () => Promise<string[]>;
  readonly row: (
    name: string,
    ours: string,
    baseline: string,
    ratio: string,
    target: string,
    pass: boolean | null,
  ) => void;
  readonly log: (line: string) => void;
  readonly fmt: (n: number, digits?: number) => string;
}

const KEYS = Number(process.env.BENCH_KEYS ?? 8);
/** High enough that the bench never reaches it, so every request runs the whole window logic and is accepted. */
const BENCH_RPM = 50_000_000;

async function apiKeys(context: AccessBenchContext) {
  const { ApiKeyRepository } = (await import(
    path.join(ROOT, 'dist/access/api-key.repository.js')
  )) as ApiKeysModule;
  const { RedisKeys } = (await import(path.join(ROOT, 'dist/core/redis/redis-keys.js'))) as RedisKeysModule;
  return new ApiKeyRepository(context.redis, new RedisKeys(context.prefix));
}

export async function benchHitWithKeys(
  context: AccessBenchContext,
  sides: { readonly keysOff: { url: string; pid: number }; readonly baseline: { url: string; pid: number } },
): Promise<void> {
  const { log, fmt, cannon } = context;
  const inputs = await context.hitInputs();
  const repository = await apiKeys(context);
  const secrets: string[] = [];
  for (let i = 0; i < KEYS; i++)
    secrets.push((await repository.create({ name: `bench ${i}`, rpm: BENCH_RPM })).secret);
  const service = await context.startService('api', { API_KEYS_REQUIRED: 'true' });
  try {
    log(
      `\n## 1k. cache hit with API keys and limits on — ${inputs.length} cached inputs, ${KEYS} keys (rate checked on every request), ${context.durationS} s per round`,
    );
    const body = (input: string) => JSON.stringify({ input });
    const withKeys = inputs.map((input, i) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets[i % KEYS]}` },
      body: body(input),
    }));
    const plain = inputs.map((input) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(input),
    }));
    const all = {
      keys: { url: service.url, pid: service.child.pid, requests: withKeys },
      'keys off': { ...sides.keysOff, requests: plain },
      baseline: { ...sides.baseline, requests: plain },
    };
    type Side = keyof typeof all;
    const names = Object.keys(all) as Side[];
    const probe = await fetch(`${service.url}/api/submit`, withKeys[0]);
    if (probe.status !== 200 || !probe.headers.get('ratelimit'))
      throw new Error(`keys-on service: expected a hit with RateLimit fields, got ${probe.status}`);
    for (const side of names) await cannon(all[side].url, all[side].requests, 2); // warm-up
    const rps: Record<Side, number[]> = { keys: [], 'keys off': [], baseline: [] };
    const cpu: Record<Side, number[]> = { keys: [], 'keys off': [], baseline: [] };
    const redisCpu: Record<Side, number[]> = { keys: [], 'keys off': [], baseline: [] };
    for (let round = 0; round < context.rounds; round++) {
      // Rotate the order so no side always runs first.
      const order = names.map((_, i) => names[(i + round) % names.length]);
      for (const side of order) {
        const before = cpuSecondsOf(all[side].pid);
        const redisBefore = await redisCpuSeconds(context.redis);
        const result = await cannon(all[side].url, all[side].requests, context.durationS);
        // Redis's CPU over the run (a shared Redis: other clients add to it), per answered request.
        const redisUs =
          (((await redisCpuSeconds(context.redis)) - redisBefore) * 1e6) / result.requests.total;
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(`${side}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        const cpuUs = ((cpuSecondsOf(all[side].pid) - before) * 1e6) / result.requests.total;
        rps[side].push(result.requests.average);
        cpu[side].push(cpuUs);
        redisCpu[side].push(redisUs);
        log(
          `  round ${round + 1} ${side.padEnd(8)} ${fmt(result.requests.average)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  ${fmt(cpuUs, 1)} µs CPU/request  Redis ${fmt(redisUs, 1)} µs/request`,
        );
      }
    }
    const [keys, keysOff, baseline] = [median(rps.keys), median(rps['keys off']), median(rps.baseline)];
    context.row(
      '1k. hit with keys + limits on (req/s)',
      fmt(keys),
      fmt(baseline),
      `${fmt(keys / baseline, 2)}×`,
      '≥ 0.9×',
      keys >= 0.9 * baseline,
    );
    context.row(
      '1k. hit, keys on vs keys off (req/s)',
      fmt(keys),
      fmt(keysOff),
      `${fmt(keys / keysOff, 2)}×`,
      'report',
      null,
    );
    context.row(
      '1k. hit server CPU per request, keys on (µs)',
      fmt(median(cpu.keys), 1),
      fmt(median(cpu.baseline), 1),
      `${fmt(median(cpu.keys) / median(cpu.baseline), 2)}×`,
      'report',
      null,
    );
    context.row(
      '1k. hit Redis CPU per request, keys on / keys off (µs)',
      fmt(median(redisCpu.keys), 1),
      fmt(median(redisCpu['keys off']), 1),
      `${fmt(median(redisCpu.keys) / median(redisCpu['keys off']), 2)}×`,
      'report',
      null,
    );
    // The window's memory stays bounded whatever the traffic (one field per 100 ms bucket).
    const [windowKey] = await context.redis.keys(`${context.prefix}ratelimit:key:*`);
    if (windowKey) log(`  one key's window after the run: ${await context.redis.hlen(windowKey)} fields`);
  } finally {
    await service.child.stop();
  }
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

export async function benchAccuracy(context: AccessBenchContext): Promise<void> {
  const { log } = context;
  log(
    '\n## 6. rate-limit accuracy — 1,000 requests as fast as possible, one key with --rpm 300, 2 API processes',
  );
  const repository = await apiKeys(context);
  const services = [
    await context.startService('api', { API_KEYS_REQUIRED: 'true' }),
    await context.startService('api', { API_KEYS_REQUIRED: 'true' }),
  ];
  const counts: number[] = [];
  try {
    for (let round = 0; round < context.rounds; round++) {
      const { secret } = await repository.create({ name: `accuracy ${round}`, rpm: 300 });
      const input = `Accuracy round ${round} ${randomUUID()}. One key, two processes.`;
      const statuses = new Map<number, number>();
      let next = 0;
      const started = performance.now();
      const sender = async () => {
        while (next < 1_000) {
          const i = next++;
          const response = await fetch(`${services[i % 2].url}/api/submit`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
            body: JSON.stringify({ input }),
          });
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: 32 }, sender));
      const seconds = (performance.now() - started) / 1000;
      const accepted = (statuses.get(200) ?? 0) + (statuses.get(202) ?? 0);
      counts.push(accepted);
      log(
        `  round ${round + 1}: ${accepted} accepted, ${statuses.get(429) ?? 0} refused (429) in ${seconds.toFixed(2)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
      await sleep(100);
    }
  } finally {
    for (const { child } of services) await child.stop();
  }
  const ok = counts.every((n) => n >= 300 && n <= 306);
  context.row(
    '6. accuracy: accepted of 1,000 at --rpm 300, 2 processes',
    counts.join(' / '),
    '—',
    '—',
    '300 to 306',
    ok,
  );
}
