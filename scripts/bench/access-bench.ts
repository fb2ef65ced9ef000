/**
 * Benchmark sections of API keys and limits (src/access), run by run-bench.ts:
 *
 *   hit-keys   POST /api/submit cache hits with API_KEYS_REQUIRED=true, 8 keys each with a request rate checked on every
 *              request (set high enough never to refuse), in interleaved rounds against: the same hand-written Fastify +
 *              ioredis baseline as section 1 (target: ≥ 0.9× it; it checks no key), the same baseline doing the same
 *              access work by hand (BENCH_BASELINE_ACCESS=keys in baseline-server.ts: key hash, the service's access
 *              script by EVALSHA pipelined with the cache GET, RateLimit fields), the same with the checks of one
 *              event-loop turn batched into one script call as the service does (keys-batched), and the service
 *              with keys off. Then the Redis commands per hit request of the service and both equal-work baselines,
 *              counted with MONITOR (commands naming this run's prefix) at 1 and at 32 connections.
 *   accuracy   1,000 requests sent as fast as possible (32 in flight) by one key with --rpm 300, split across two API
 *              processes: how many are accepted. Target: 300 to 306, every round (a fresh key per round).
 */
import autocannon, { type Request as CannonRequest, type Result } from 'autocannon';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { Child, cpuSecondsOf, median, ROOT, sleep } from './common';

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
    execArgv?: string[],
  ) => Promise<{ child: Child; url: string }>;
  /** BENCH_CPU_PROF: where CPU profiles go (undefined: none). */
  readonly cpuProfDir: string | undefined;
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
  const profile = (name: string) =>
    context.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(context.cpuProfDir, name)}`] : [];
  const service = await context.startService('api', { API_KEYS_REQUIRED: 'true' }, profile('keys'));
  const equalWork = (mode: 'keys' | 'keys-batched') =>
    Child.script(
      'baseline-server.ts',
      [],
      { REDIS_URL: context.redisUrl, BENCH_PREFIX: context.prefix, BENCH_BASELINE_ACCESS: mode },
      profile(`baseline-${mode}`),
    );
  const byHand = equalWork('keys');
  const byHandBatched = equalWork('keys-batched');
  try {
    const { port } = await byHand.next('ready');
    const { port: batchedPort } = await byHandBatched.next('ready');
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
      'baseline+keys': { url: `http://127.0.0.1:${port}`, pid: byHand.pid, requests: withKeys },
      'baseline+keys batched': {
        url: `http://127.0.0.1:${batchedPort}`,
        pid: byHandBatched.pid,
        requests: withKeys,
      },
    };
    type Side = keyof typeof all;
    const names = Object.keys(all) as Side[];
    for (const side of ['keys', 'baseline+keys', 'baseline+keys batched'] as const) {
      const probe = await fetch(`${all[side].url}/api/submit`, withKeys[0]);
      if (probe.status !== 200 || !probe.headers.get('ratelimit'))
        throw new Error(`${side}: expected a hit with RateLimit fields, got ${probe.status}`);
    }
    for (const side of names) await cannon(all[side].url, all[side].requests, 2); // warm-up
    const perSide = () =>
      Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Side, number[]>;
    const [rps, cpu, redisCpu] = [perSide(), perSide(), perSide()];
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
          `  round ${round + 1} ${side.padEnd(21)} ${fmt(result.requests.average)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  ${fmt(cpuUs, 1)} µs CPU/request  Redis ${fmt(redisUs, 1)} µs/request`,
        );
      }
    }
    const med = (values: Record<Side, number[]>) =>
      Object.fromEntries(names.map((name) => [name, median(values[name])])) as Record<Side, number>;
    const [r, c, rc] = [med(rps), med(cpu), med(redisCpu)];
    const ratio = (a: number, b: number) => `${fmt(a / b, 2)}×`;
    context.row(
      '1k. hit with keys + limits on vs plain baseline, no keys (req/s)',
      fmt(r.keys),
      fmt(r.baseline),
      ratio(r.keys, r.baseline),
      '≥ 0.9×',
      r.keys >= 0.9 * r.baseline,
    );
    // Reported comparisons: [label, the medians compared, side, against, decimals].
    const comparisons: Array<[string, Record<Side, number>, Side, Side, number]> = [
      ['1k. hit with keys + limits on vs equal-work baseline (req/s)', r, 'keys', 'baseline+keys', 0],
      [
        '1k. hit with keys + limits on vs equal-work baseline, checks batched (req/s)',
        r,
        'keys',
        'baseline+keys batched',
        0,
      ],
      [
        '1k. equal-work baseline, checks batched, vs plain baseline (req/s)',
        r,
        'baseline+keys batched',
        'baseline',
        0,
      ],
      [
        '1k. equal-work baseline vs plain baseline (req/s): the access work by hand',
        r,
        'baseline+keys',
        'baseline',
        0,
      ],
      ['1k. hit, keys on vs keys off (req/s)', r, 'keys', 'keys off', 0],
      ['1k. hit server CPU per request, keys on vs plain baseline (µs)', c, 'keys', 'baseline', 1],
      ['1k. hit server CPU per request, keys on vs equal-work baseline (µs)', c, 'keys', 'baseline+keys', 1],
      [
        '1k. hit server CPU per request, keys on vs equal-work baseline, batched (µs)',
        c,
        'keys',
        'baseline+keys batched',
        1,
      ],
      ['1k. hit Redis CPU per request, keys on vs equal-work baseline (µs)', rc, 'keys', 'baseline+keys', 1],
      [
        '1k. hit Redis CPU per request, keys on vs equal-work baseline, batched (µs)',
        rc,
        'keys',
        'baseline+keys batched',
        1,
      ],
    ];
    for (const [label, values, side, against, digits] of comparisons) {
      context.row(
        label,
        fmt(values[side], digits),
        fmt(values[against], digits),
        ratio(values[side], values[against]),
        'report',
        null,
      );
    }
    context.row(
      '1k. hit Redis CPU per request, plain baseline / keys off (µs)',
      fmt(rc.baseline, 1),
      fmt(rc['keys off'], 1),
      '—',
      'report',
      null,
    );
    // The window's memory stays bounded whatever the traffic (one field per 100 ms bucket).
    const [windowKey] = await context.redis.keys(`${context.prefix}ratelimit:key:*`);
    if (windowKey) log(`  one key's window after the run: ${await context.redis.hlen(windowKey)} fields`);

    // Commands per request: what Redis is asked to do, whatever the machine's load.
    for (const connections of [1, 32]) {
      for (const side of ['keys', 'baseline+keys', 'baseline+keys batched'] as const) {
        const count = await countCommands(context, all[side].url, all[side].requests, connections);
        log(
          `  Redis commands per hit, ${side}, ${connections} connection${connections > 1 ? 's' : ''}: ${fmt(count.sent, 2)} sent + ${fmt(count.inScript, 2)} run by the script = ${fmt(count.sent + count.inScript, 2)}  (${count.detail})`,
        );
        context.row(
          `1k. Redis commands per hit, ${side}, ${connections} conn. (sent + in script)`,
          `${fmt(count.sent, 2)} + ${fmt(count.inScript, 2)}`,
          '—',
          '—',
          'report',
          null,
        );
      }
    }
  } finally {
    await service.child.stop();
    await byHand.stop();
    await byHandBatched.stop();
  }
}

/** Requests sent for each MONITOR count. */
const COUNTED_REQUESTS = Number(process.env.BENCH_COUNTED_REQUESTS ?? 2_000);

/**
 * The Redis commands that name this run's keys while `COUNTED_REQUESTS` hits are served, per request, from
 * `redis-cli MONITOR` (commands a script runs show up with source `lua`). A MULTI/EXEC names no key and is not counted:
 * the service's usage and analytics flushes (one MULTI per 100 ms) add their HINCRBYs, which are. BullMQ's keys are
 * left out (the hit path never touches the queue; other processes' queue listeners do). redis-cli rather than
 * ioredis's monitor(): on a busy Redis, ioredis can read MONITOR lines before it has switched to monitoring mode.
 */
async function countCommands(
  context: AccessBenchContext,
  url: string,
  requests: CannonRequest[],
  connections: number,
): Promise<{ sent: number; inScript: number; detail: string }> {
  const monitor = spawn('redis-cli', ['-u', context.redisUrl, 'monitor'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ours = `"${context.prefix}`;
  const queue = `"${context.prefix}bull`;
  const counts = new Map<string, number>();
  let sent = 0;
  let inScript = 0;
  let started = false;
  const lines = createInterface({ input: monitor.stdout });
  lines.on('line', (line) => {
    started = true;
    // 1796178999.837994 [0 127.0.0.1:47328] "evalsha" "…" "2" "prefix:ratelimit:key:…" …
    if (!line.includes(ours) || line.includes(queue)) return;
    const source = line.slice(line.indexOf(' ') + 1, line.indexOf(']')).split(' ')[1];
    const command = /\] "([^"]+)"/.exec(line)?.[1]?.toLowerCase() ?? '?';
    const name = source === 'lua' ? `script ${command}` : command;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (source === 'lua') inScript++;
    else sent++;
  });
  try {
    // MONITOR prints OK first; then every command of every client.
    const deadline = Date.now() + 5_000;
    while (!started && Date.now() < deadline) await sleep(20);
    if (!started) throw new Error('redis-cli monitor printed nothing');
    const result = await autocannon({
      url: `${url}/api/submit`,
      connections,
      amount: COUNTED_REQUESTS,
      timeout: 10,
      requests,
    });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`MONITOR count: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    // Let the 100 ms flushes of counts go out, and redis-cli print what it has.
    await sleep(500);
    const total = result.requests.total;
    const detail = [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `${name} ${context.fmt(n / total, 3)}`)
      .join(', ');
    return { sent: sent / total, inScript: inScript / total, detail };
  } finally {
    lines.close();
    monitor.kill();
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
