/**
 * The persistence section of `npm run bench` (BENCH_ONLY=persistence runs it alone). In a PostgreSQL database of its
 * own (created and dropped here) with BENCH_HISTORY_ROWS (1,000,000) history rows and BENCH_ARCHIVE_ROWS (1,000,000)
 * archive entries, generated inside PostgreSQL (INSERT … SELECT generate_series):
 *
 *   a. GET /api/jobs p95 per kind of page: first pages with each filter, deep pages by cursor (random positions over
 *      the whole history), a date window; sequential requests to the built service (role api), interleaved rounds.
 *   b. The HistoryWriter's throughput (rows/s, a pre-filled outbox drained by a worker process) against the worker's
 *      peak jobs/s (no-op summarizer), and the worker's jobs/s with history recording on, for reference.
 *   c. The archive lookup's added p95 on a miss: POST /api/submit with unique inputs (a Redis miss and an archive
 *      miss) on two API processes, with and without DATABASE_URL, interleaved.
 *
 * Settings: BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres), BENCH_HISTORY_ROWS,
 * BENCH_ARCHIVE_ROWS, BENCH_WRITER_ENTRIES, BENCH_JOBS_REQUESTS (per kind and round), BENCH_MISS_REQUESTS.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { HistoryCursorCodec } from '../../src/persistence/history/history-cursor';
import type { HistoryEntry } from '../../src/persistence/history/history-entry';
import { migrateToLatest } from '../../src/persistence/database/migrate';
import { Child, deleteKeys, DIST_MAIN, freePort, median, REDIS_URL, sleep, waitForHttp } from './common';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const HISTORY_ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);
const ARCHIVE_ROWS = Number(process.env.BENCH_ARCHIVE_ROWS ?? 1_000_000);
const WRITER_ENTRIES = Number(process.env.BENCH_WRITER_ENTRIES ?? 100_000);
const JOBS_REQUESTS = Number(process.env.BENCH_JOBS_REQUESTS ?? 100);
const MISS_REQUESTS = Number(process.env.BENCH_MISS_REQUESTS ?? 400);

/** What the orchestrator (run-bench.ts) lends this section. */
export interface PersistenceBenchContext {
  readonly rounds: number;
  readonly prefix: string;
  readonly log: (line: string) => void;
  readonly row: (
    name: string,
    ours: string,
    baseline: string,
    ratio: string,
    target: string,
    pass: boolean | null,
  ) => void;
  readonly fmt: (n: number, digits?: number) => string;
  /** The service worker's jobs/s on a queue of no-op jobs (section 3's method); with DATABASE_URL when given. */
  readonly workerPeak: (databaseUrl?: string) => Promise<number>;
}

/** Nearest-rank percentile. */
function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

async function sql<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * 80 days of history (inside HISTORY_RETENTION_DAYS, so the retention run of the worker processes started below
 * deletes none of it), one job every 6.9 s; 30 % URLs, 5 % failed; ms-precise created_at, as the writer stores.
 */
const GENERATE_HISTORY = (n: number) => `
  insert into job_history (id, input_hash, input_type, status, source_url, final_url, title, fetched_at, summary, tags,
    provider, model, fallback, input_tokens, output_tokens, total_tokens, processing_time_ms, error, attempts,
    created_at, finished_at)
  select gen_random_uuid(), md5(g::text),
    case when g % 10 < 3 then 'url' else 'text' end,
    case when g % 20 = 0 then 'failed' else 'completed' end,
    case when g % 10 < 3 then 'https://example.com/news/article-' || g end,
    case when g % 10 < 3 and g % 20 <> 0 then 'https://example.com/news/article-' || g end,
    case when g % 10 < 3 and g % 20 <> 0 then 'Article number ' || g end,
    case when g % 10 < 3 and g % 20 <> 0 then ts end,
    case when g % 20 <> 0 then 'The council approved item ' || g || '. ' || repeat('It funds libraries and parks. ', 6) end,
    case when g % 20 <> 0 then array['council', 'budget', 'tag' || (g % 97)] end,
    case when g % 20 <> 0 then 'gemini' end, case when g % 20 <> 0 then 'gemini-2.5-flash' end,
    case when g % 20 <> 0 then false end,
    case when g % 20 <> 0 then 900 end, case when g % 20 <> 0 then 80 end, case when g % 20 <> 0 then 980 end,
    50 + (g::bigint * 7919) % 2000,
    case when g % 20 = 0 then 'The page answered 404 Not Found.' end,
    1 + g % 3, ts, ts + interval '400 milliseconds'
  from (select g, date_trunc('milliseconds', now() - g * interval '6912 milliseconds') as ts
        from generate_series(1, ${n}) g) s`;

const GENERATE_ARCHIVE = (n: number) => `
  insert into summary_archive (hash, result, created_at, updated_at)
  select encode(sha256(g::text::bytea), 'hex'),
    jsonb_build_object('summary', 'Archived summary ' || g || '. ' || repeat('More words. ', 12),
      'tags', jsonb_build_array('alpha', 'beta'), 'input_type', 'text', 'provider', 'gemini',
      'model', 'gemini-2.5-flash', 'usage', jsonb_build_object('totalTokens', 980), 'fallback', false),
    now() - (g % 2000) * interval '1 minute', now() - (g % 2000) * interval '1 minute'
  from generate_series(1, ${n}) g`;

async function startApi(env: Record<string, string>): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = Child.service({
    REDIS_URL,
    PROCESS_ROLE: 'api',
    PORT: String(port),
    HOST: '127.0.0.1',
    AI_PROVIDER: 'local',
    LOG_LEVEL: 'warn',
    ...env,
  });
  await waitForHttp(`http://127.0.0.1:${port}/health`);
  return { child, url: `http://127.0.0.1:${port}` };
}

async function timed(request: () => Promise<Response>): Promise<number> {
  const started = performance.now();
  const response = await request();
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${response.status} ${response.url}`);
  return performance.now() - started;
}

export async function benchPersistence(ctx: PersistenceBenchContext): Promise<void> {
  const { log, row, fmt, rounds, prefix } = ctx;
  log(
    `\n## 6. persistence — ${HISTORY_ROWS.toLocaleString('en-US')} history rows, ${ARCHIVE_ROWS.toLocaleString('en-US')} archive entries (PostgreSQL)`,
  );
  try {
    await sql(ADMIN_URL, 'select 1');
  } catch (error) {
    log(`  skipped: no PostgreSQL at ${ADMIN_URL} (${String(error)})`);
    row('6. persistence', 'skipped', '—', '—', 'needs PostgreSQL', null);
    return;
  }
  const name = `smartcache_bench_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  await sql(ADMIN_URL, `create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const children: Child[] = [];
  const redis = new Redis(REDIS_URL);
  try {
    await migrateToLatest(databaseUrl);
    let started = Date.now();
    await sql(databaseUrl, GENERATE_HISTORY(HISTORY_ROWS));
    log(
      `  generated ${HISTORY_ROWS.toLocaleString('en-US')} history rows in ${fmt((Date.now() - started) / 1000, 1)} s`,
    );
    started = Date.now();
    await sql(databaseUrl, GENERATE_ARCHIVE(ARCHIVE_ROWS));
    await sql(databaseUrl, 'vacuum analyze');
    log(
      `  generated ${ARCHIVE_ROWS.toLocaleString('en-US')} archive entries (+ vacuum analyze) in ${fmt((Date.now() - started) / 1000, 1)} s`,
    );

    // --- a. GET /api/jobs ---------------------------------------------------------------------------------------
    const api = await startApi({ REDIS_KEY_PREFIX: prefix, DATABASE_URL: databaseUrl });
    children.push(api.child);
    // The service's own cursor key (derived from DATABASE_URL), so the benchmark can start pages anywhere.
    const codec = new HistoryCursorCodec(databaseUrl);
    const positions = (
      await sql<{ created_at: Date; id: string }>(
        databaseUrl,
        'select created_at, id from job_history tablesample system (1) order by random() limit 200',
      )
    ).map((p) => ({ createdAt: p.created_at, id: p.id }));
    const middle = new Date(Date.now() - 45 * 86_400_000);
    const window = { since: new Date(middle.getTime() - 86_400_000), until: middle };
    type Kind = { name: string; query: string; deep?: Parameters<HistoryCursorCodec['encode']>[1] };
    const kinds: Kind[] = [
      { name: 'first page', query: '' },
      { name: 'status=failed', query: 'status=failed' },
      { name: 'status=completed', query: 'status=completed' },
      { name: 'input_type=url', query: 'input_type=url' },
      { name: 'input_type=text', query: 'input_type=text' },
      { name: 'status=failed&input_type=url', query: 'status=failed&input_type=url' },
      {
        name: 'since/until (1 day, 45 days ago)',
        query: `since=${window.since.toISOString()}&until=${window.until.toISOString()}`,
      },
      { name: 'deep page by cursor', query: '', deep: {} },
      { name: 'deep page, status=failed', query: 'status=failed', deep: { status: 'failed' } },
      { name: 'deep page, input_type=url', query: 'input_type=url', deep: { inputType: 'url' } },
      {
        name: 'deep page, status=failed&input_type=url',
        query: 'status=failed&input_type=url',
        deep: { status: 'failed', inputType: 'url' },
      },
    ];
    const request = (kind: Kind, i: number) => {
      const cursor = kind.deep
        ? `&cursor=${encodeURIComponent(codec.encode(positions[i % positions.length], kind.deep))}`
        : '';
      return () => fetch(`${api.url}/api/jobs?limit=100&${kind.query}${cursor}`);
    };
    for (const kind of kinds) for (let i = 0; i < 10; i++) await timed(request(kind, i)); // warm-up
    const p95s = new Map<string, number[]>(kinds.map((kind) => [kind.name, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? kinds : [...kinds].reverse();
      for (const kind of order) {
        const samples: number[] = [];
        for (let i = 0; i < JOBS_REQUESTS; i++)
          samples.push(await timed(request(kind, round * JOBS_REQUESTS + i)));
        p95s.get(kind.name)!.push(percentile(samples, 0.95));
      }
    }
    let worst = 0;
    for (const kind of kinds) {
      const p95 = median(p95s.get(kind.name)!);
      worst = Math.max(worst, p95);
      log(
        `  GET /api/jobs?limit=100 ${kind.name.padEnd(40)} p95 ${fmt(p95, 2)} ms (rounds: ${p95s
          .get(kind.name)!
          .map((v) => fmt(v, 2))
          .join(', ')})`,
      );
      row(`6a. GET /api/jobs p95, ${kind.name} (ms)`, fmt(p95, 2), '—', '—', '≤ 20 ms', p95 <= 20);
    }
    log(`  worst p95 over all kinds of page: ${fmt(worst, 2)} ms`);
    await api.child.stop();

    // --- b. writer throughput vs the worker's peak ----------------------------------------------------------------
    // Three sides: history off; on (the worker process also runs the writer, and PostgreSQL shares the machine); on
    // with PostgreSQL unreachable (the writer only backs off), which leaves the cost of the XADD on the job path.
    const unreachable = `postgres://postgres@127.0.0.1:${await freePort()}/none`;
    const sides = { off: undefined, on: databaseUrl, xaddOnly: unreachable } as const;
    const peaks = { off: [] as number[], on: [] as number[], xaddOnly: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const order = Object.keys(sides) as Array<keyof typeof sides>;
      for (const side of round % 2 === 0 ? order : order.reverse()) {
        peaks[side].push(await ctx.workerPeak(sides[side]));
      }
    }
    const peak = median(peaks.off);
    const peakWithHistory = median(peaks.on);
    const peakXaddOnly = median(peaks.xaddOnly);
    log(
      `  worker (no-op summarizer): ${fmt(peak)} jobs/s without DATABASE_URL; ${fmt(peakWithHistory)} with it; ` +
        `${fmt(peakXaddOnly)} recording into the outbox while PostgreSQL is away (writer idle)`,
    );
    const outbox = `${prefix}history:outbox`;
    await redis.del(outbox);
    const now = Date.now();
    for (let start = 0; start < WRITER_ENTRIES; start += 1_000) {
      const pipeline = redis.pipeline();
      for (let i = start; i < Math.min(WRITER_ENTRIES, start + 1_000); i++)
        pipeline.xadd(outbox, '*', 'entry', JSON.stringify(entry(i, now)));
      await pipeline.exec();
    }
    const rowsBefore = Number(
      (await sql<{ n: string }>(databaseUrl, 'select count(*) as n from job_history'))[0].n,
    );
    const worker = Child.service({
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      PROCESS_ROLE: 'worker',
      // Ephemeral: another worker on the machine may hold the default 9464.
      METRICS_PORT: '0',
      DATABASE_URL: databaseUrl,
      AI_PROVIDER: 'local',
      LOG_LEVEL: 'warn',
    });
    children.push(worker);
    let firstSeen: { at: number; left: number } | undefined;
    const deadline = Date.now() + 300_000;
    let left = WRITER_ENTRIES;
    while (Date.now() < deadline) {
      left = await redis.xlen(outbox);
      if (!firstSeen && left < WRITER_ENTRIES) firstSeen = { at: performance.now(), left };
      if (left === 0) break;
      await sleep(20);
    }
    const finished = performance.now();
    if (left !== 0 || !firstSeen) throw new Error(`the writer left ${left} entries`);
    const writerRate = (firstSeen.left * 1000) / Math.max(1, finished - firstSeen.at);
    await worker.stop();
    const rowsAfter = Number(
      (await sql<{ n: string }>(databaseUrl, 'select count(*) as n from job_history'))[0].n,
    );
    if (rowsAfter - rowsBefore !== WRITER_ENTRIES)
      throw new Error(`expected ${WRITER_ENTRIES} new rows, got ${rowsAfter - rowsBefore}`);
    log(
      `  writer: ${WRITER_ENTRIES.toLocaleString('en-US')} outbox entries (row + archive entry each) drained at ${fmt(writerRate)} rows/s; ${rowsAfter - rowsBefore} rows added`,
    );
    row(
      '6b. history writer (rows/s) vs worker peak (jobs/s)',
      fmt(writerRate),
      fmt(peak),
      `${fmt(writerRate / peak, 2)}×`,
      '≥ 1.5×',
      writerRate >= 1.5 * peak,
    );
    row(
      '6b. worker with history on vs off (jobs/s)',
      fmt(peakWithHistory),
      fmt(peak),
      `${fmt(peakWithHistory / peak, 2)}×`,
      'report',
      null,
    );
    row(
      '6b. worker recording only (writer idle) vs off (jobs/s)',
      fmt(peakXaddOnly),
      fmt(peak),
      `${fmt(peakXaddOnly / peak, 2)}×`,
      'report',
      null,
    );

    // --- c. the archive lookup on a miss ----------------------------------------------------------------------------
    const without = await startApi({ REDIS_KEY_PREFIX: prefix });
    const withDb = await startApi({ REDIS_KEY_PREFIX: prefix, DATABASE_URL: databaseUrl });
    children.push(without.child, withDb.child);
    const submit = (base: string, input: string) => () =>
      fetch(`${base}/api/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input }),
      });
    const run = randomUUID();
    let n = 0;
    for (const side of [without, withDb])
      for (let i = 0; i < 50; i++) await timed(submit(side.url, `warm ${run} ${n++}`));
    const missP95 = { without: [] as number[], with: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const order: Array<'without' | 'with'> = round % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
      for (const side of order) {
        const base = side === 'with' ? withDb.url : without.url;
        const samples: number[] = [];
        for (let i = 0; i < MISS_REQUESTS; i++)
          samples.push(await timed(submit(base, `Miss ${run} ${n++}. A new input.`)));
        missP95[side].push(percentile(samples, 0.95));
        log(
          `  round ${round + 1} miss ${side === 'with' ? 'with DATABASE_URL   ' : 'without DATABASE_URL'} p95 ${fmt(percentile(samples, 0.95), 2)} ms, p50 ${fmt(percentile(samples, 0.5), 2)} ms`,
        );
      }
      await deleteKeys(redis, `${prefix}bull:summarize:*`);
    }
    const added = median(missP95.with) - median(missP95.without);
    row(
      '6c. miss p95 with archive lookup vs without (ms)',
      fmt(median(missP95.with), 2),
      fmt(median(missP95.without), 2),
      `+${fmt(added, 2)} ms`,
      '≤ +2 ms',
      added <= 2,
    );
  } finally {
    for (const child of children) await child.stop();
    redis.disconnect();
    await sql(ADMIN_URL, `drop database if exists ${name} with (force)`);
    log(`  dropped database ${name}; service: ${DIST_MAIN}`);
  }
}

/** An outbox entry as a worker writes it for a completed text job (row and archive entry). */
function entry(i: number, now: number): HistoryEntry {
  const result = {
    summary: `Benchmark summary ${i}. It has a second sentence about the council budget.`,
    tags: ['council', 'budget'],
    input_type: 'text' as const,
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    usage: { inputTokens: 900, outputTokens: 80, totalTokens: 980 },
    fallback: false,
  };
  const at = new Date(now - 1_000 + (i % 1_000)).toISOString();
  return {
    row: {
      id: randomUUID(),
      input_hash: `${i}-${now}`,
      input_type: 'text',
      status: 'completed',
      source_url: null,
      final_url: null,
      title: null,
      fetched_at: null,
      summary: result.summary,
      tags: result.tags,
      provider: result.provider,
      model: result.model,
      model_version: null,
      fallback: false,
      input_tokens: 900,
      output_tokens: 80,
      total_tokens: 980,
      cost_usd: null,
      stage_timings: null,
      processing_time_ms: 400,
      error: null,
      attempts: 1,
      api_key_id: null,
      scope_owner: null,
      created_at: at,
      finished_at: at,
    },
    archive: [{ hash: `bench-${i}-${now}`, result }],
  };
}
