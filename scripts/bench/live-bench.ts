/**
 * Section `live` of `npm run bench`: one API process (the built service, role api) holding BENCH_LIVE_CLIENTS
 * (10,000) concurrent waiting clients — a third each of `wait` submissions, SSE streams and WebSocket subscriptions —
 * spread over BENCH_LIVE_JOBS (200) queued jobs, every job followed by clients of all three kinds.
 *
 * Reported:
 * - memory per waiting client: the API process's RSS before and after each kind's clients connected;
 * - the time from a job's completion (BullMQ's finishedOn, written by the worker that completed it) to each client's
 *   final event (the `wait` answer, the SSE `completed` event, the WebSocket `completed` frame), p50/p99, next to the
 *   baseline doing the same hop with nothing on top: a raw BullMQ QueueEvents subscriber in a process of its own.
 *
 * Jobs are completed by a raw BullMQ worker (scripts/bench/live-child.ts), one every BENCH_LIVE_INTERVAL_MS (20), so
 * the figure is the delivery path, not a backlog of simultaneous completions. All clients run in this process; its
 * own event loop is part of what a client sees, as it would be for a real client on a busy machine.
 */
import { execSync } from 'node:child_process';
import http from 'node:http';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { BenchReport } from './batch-bench';
import { Child, cpuSecondsOf, deleteKeys, freePort, REDIS_URL, rssOf, sleep, waitForHttp } from './common';

const CLIENTS = Number(process.env.BENCH_LIVE_CLIENTS ?? 10_000);
const JOBS = Number(process.env.BENCH_LIVE_JOBS ?? 200);
const INTERVAL_MS = Number(process.env.BENCH_LIVE_INTERVAL_MS ?? 20);
/** Clients opened at once while connecting. */
const CONNECT_BATCH = 250;
const TARGET_P99_MS = 20;

type Kind = 'wait' | 'sse' | 'ws';
const KINDS: readonly Kind[] = ['sse', 'ws', 'wait'];

/** One waiting client: which job it follows, when its final event arrived, and how to drop it. */
interface Follower {
  readonly kind: Kind;
  readonly jobId: string;
  /** Resolves once the server holds the client (headers sent, or the first frame; for `wait`, the request sent). */
  readonly ready: Promise<void>;
  finals: number;
  receivedAt?: number;
  close(): void;
}

const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
};

function openFiles(): number {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim()) || Infinity;
  } catch {
    return Infinity;
  }
}

function inputOf(prefix: string, i: number): string {
  return `Live benchmark job ${i} of ${prefix}. It waits in the queue for its followers. Then it completes.`;
}

function follow(kind: Kind, base: URL, jobId: string, input: string): Follower {
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const follower: Follower = { kind, jobId, ready, finals: 0, close: () => undefined };
  const final = () => {
    follower.finals++;
    follower.receivedAt ??= Date.now();
  };
  if (kind === 'ws') {
    const socket = new WebSocket(`ws://${base.host}/api/ws`);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'subscribe', job_id: jobId })));
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { type: string };
      markReady();
      if (frame.type === 'completed' || frame.type === 'failed') final();
    });
    socket.on('error', (error) => console.error(`ws client: ${error.message}`));
    follower.close = () => socket.terminate();
    return follower;
  }
  const body = kind === 'wait' ? JSON.stringify({ input, wait: 60 }) : undefined;
  const request = http.request({
    host: base.hostname,
    port: base.port,
    agent: false,
    method: kind === 'wait' ? 'POST' : 'GET',
    path: kind === 'wait' ? '/api/submit' : `/api/status/${jobId}/events`,
    headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
  });
  request.on('response', (response) => {
    let text = '';
    response.setEncoding('utf8');
    if (kind === 'sse') markReady();
    response.on('data', (chunk: string) => {
      if (kind === 'wait') return void (text += chunk);
      if (/^event: (completed|failed)$/m.test(chunk)) final();
    });
    response.on('end', () => {
      if (
        kind === 'wait' &&
        response.statusCode === 200 &&
        (JSON.parse(text) as { job_id?: string }).job_id === jobId
      )
        final();
    });
  });
  request.on('error', () => undefined);
  request.end(body, () => kind === 'wait' && markReady());
  follower.close = () => request.destroy();
  return follower;
}

/** Opens `count` clients of `kind`, CONNECT_BATCH at a time, each following the next job in turn. */
async function connect(
  kind: Kind,
  count: number,
  base: URL,
  jobIds: string[],
  inputs: string[],
): Promise<Follower[]> {
  const followers: Follower[] = [];
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, (_, j) => {
      const n = (i + j) % jobIds.length;
      return follow(kind, base, jobIds[n], inputs[n]);
    });
    await Promise.all(batch.map((f) => f.ready));
    followers.push(...batch);
  }
  return followers;
}

/** Waits until the process has used under 2% of a core for half a second (it has taken in what was sent). */
async function settle(pid: number): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const before = cpuSecondsOf(pid);
    await sleep(500);
    if (cpuSecondsOf(pid) - before < 0.01) return;
  }
}

export async function runLiveBench(report: BenchReport & { prefix: string }): Promise<void> {
  const log = (line: string) => report.log(line);
  const row: BenchReport['row'] = (...args) => report.row(...args);
  const limit = openFiles();
  const clients = Math.min(CLIENTS, Math.max(300, limit - 500));
  const countOf = (kind: Kind) =>
    Math.floor(clients / KINDS.length) + (KINDS.indexOf(kind) < clients % KINDS.length ? 1 : 0);
  log(`\n## live: ${clients} waiting clients in one API process`);
  if (clients < CLIENTS)
    log(`(open-file limit ${limit}: ${clients} clients instead of ${CLIENTS}; raise ulimit -n)`);

  // Its own namespace (a prefix holds one colon, at its end); deleted at the end.
  const prefix = `${report.prefix.slice(0, -1)}-live:`;
  const port = await freePort();
  const api = Child.service({
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    PROCESS_ROLE: 'api',
    PORT: String(port),
    HOST: '127.0.0.1',
    AI_PROVIDER: 'local',
    LOG_LEVEL: 'info',
  });
  const children: Child[] = [api];
  const followers: Follower[] = [];
  const redis = new Redis(REDIS_URL);
  try {
    const base = new URL(`http://127.0.0.1:${port}`);
    await waitForHttp(`${base.origin}/health`);
    const inputs = Array.from({ length: JOBS }, (_, i) => inputOf(prefix, i));
    const jobIds: string[] = [];
    for (const input of inputs) {
      const answer = await fetch(`${base.origin}/api/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input }),
      });
      jobIds.push(((await answer.json()) as { job_id: string }).job_id);
    }

    // Warm-up: code paths compiled, buffers pooled, before anything is measured.
    for (const kind of KINDS) {
      const warm = await connect(kind, 100, base, jobIds, inputs);
      for (const f of warm) f.close();
    }
    await settle(api.pid);

    const memory: Record<string, number> = {};
    let rss = rssOf(api.pid);
    for (const kind of KINDS) {
      const opened = await connect(kind, countOf(kind), base, jobIds, inputs);
      followers.push(...opened);
      await settle(api.pid);
      const now = rssOf(api.pid);
      memory[kind] = (now - rss) / countOf(kind);
      rss = now;
    }
    log(
      `memory per waiting client (API RSS growth / clients): ${KINDS.map((k) => `${k} ${(memory[k] / 1024).toFixed(1)} KiB`).join(', ')}`,
    );

    const listener = Child.script('live-child.ts', ['listener'], { REDIS_URL, BENCH_PREFIX: prefix });
    const completer = Child.script('live-child.ts', ['completer'], {
      REDIS_URL,
      BENCH_PREFIX: prefix,
      BENCH_LIVE_INTERVAL_MS: String(INTERVAL_MS),
    });
    children.push(listener, completer);
    await listener.next('ready');
    await completer.next('ready');
    completer.send({ type: 'go' });
    const deadline = Date.now() + JOBS * INTERVAL_MS + 60_000;
    while (followers.some((f) => f.finals === 0) && Date.now() < deadline) await sleep(100);
    await sleep(500); // a repeated final event would arrive now

    listener.send({ type: 'report' });
    const heard = (await listener.next('result')).heard as Record<string, number>;
    const finishedOn = new Map<string, number>();
    for (const id of jobIds)
      finishedOn.set(id, Number(await redis.hget(`${prefix}bull:summarize:${id}`, 'finishedOn')));

    const delays = (kind?: Kind) =>
      followers
        .filter((f) => (kind === undefined || f.kind === kind) && f.receivedAt !== undefined)
        .map((f) => (f.receivedAt ?? 0) - (finishedOn.get(f.jobId) ?? 0));
    const baseline = jobIds
      .filter((id) => heard[id] !== undefined)
      .map((id) => heard[id] - (finishedOn.get(id) ?? 0));
    const all = delays();
    for (const kind of KINDS) {
      const d = delays(kind);
      log(
        `${kind}: p50 ${percentile(d, 0.5)} ms, p99 ${percentile(d, 0.99)} ms, max ${percentile(d, 1)} ms (${d.length})`,
      );
    }
    const exactlyOnce = followers.filter((f) => f.finals === 1).length;
    const p99 = percentile(all, 0.99);
    const baseP99 = percentile(baseline, 0.99);
    row(
      `live: job completion → client event, ${followers.length} waiting clients (p50 / p99)`,
      `${percentile(all, 0.5)} / ${p99} ms`,
      `${percentile(baseline, 0.5)} / ${baseP99} ms (raw QueueEvents)`,
      `p99 +${p99 - baseP99} ms`,
      `p99 ≤ ${TARGET_P99_MS} ms`,
      p99 <= TARGET_P99_MS,
    );
    row(
      'live: clients that got exactly one final event',
      `${exactlyOnce} / ${followers.length}`,
      '',
      '',
      'all',
      exactlyOnce === followers.length,
    );
    row(
      'live: API memory per waiting client (RSS)',
      KINDS.map((k) => `${k} ${(memory[k] / 1024).toFixed(1)} KiB`).join(' · '),
      '',
      '',
      'reported',
      null,
    );
  } finally {
    for (const f of followers) f.close();
    for (const child of children.reverse()) await child.stop();
    await deleteKeys(redis, `${prefix}*`);
    redis.disconnect();
  }
}
