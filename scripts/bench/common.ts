/** Helpers shared by the benchmark orchestrator and its child processes. */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';

export const ROOT = path.resolve(__dirname, '../..');
export const DIST_MAIN = path.join(ROOT, 'dist/main.js');
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The job options the service's queue applies by default (src/jobs/jobs.module.ts, default settings). */
export const SERVICE_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
  removeOnComplete: { age: 86_400, count: 10_000 },
  removeOnFail: { age: 86_400, count: 10_000 },
} as const;

/** Messages children send to the orchestrator over IPC. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly port?: number }
  | { readonly type: 'result'; readonly [key: string]: unknown };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Deletes every key under `prefix` (SCAN + UNLINK; never FLUSHALL/FLUSHDB: the Redis is shared). */
export async function deleteKeys(redis: Redis, pattern: string, deadlineMs = 120_000): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    if (keys.length > 0) deleted += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0' && Date.now() < deadline);
  return deleted;
}

/** A child process the benchmark started; killed by its own pid only. */
export class Child {
  readonly exited: Promise<number | null>;
  private readonly messages: ChildMessage[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    readonly process: ChildProcess,
    readonly name: string,
  ) {
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
    process.on('message', (message: ChildMessage) => {
      this.messages.push(message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    void this.exited.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** A TypeScript script of this folder, run by Node through tsx, with an IPC channel. */
  static script(file: string, args: string[], env: Record<string, string>, execArgv: string[] = []): Child {
    const child = fork(path.join(__dirname, file), args, {
      execArgv: ['--import', 'tsx', ...execArgv],
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    return new Child(child, `${file} ${args.join(' ')}`);
  }

  /** The built service, `node dist/main.js`, exactly as deployed (its logs go to /dev/null, not to a pipe). */
  static service(env: Record<string, string>, execArgv: string[] = []): Child {
    if (!existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} is missing: run \`npm run build\``);
    const child = fork(DIST_MAIN, [], {
      execArgv,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    return new Child(child, 'service');
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  send(message: unknown): void {
    this.process.send?.(message as object);
  }

  /** The next message of `type`, or an error after `timeoutMs` or when the child exits. */
  async next<T extends ChildMessage['type']>(
    type: T,
    timeoutMs = 60_000,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex((m) => m.type === type);
      if (index >= 0) return this.messages.splice(index, 1)[0] as Extract<ChildMessage, { type: T }>;
      if (this.process.exitCode !== null || this.process.signalCode !== null)
        throw new Error(`${this.name} exited (${this.process.exitCode ?? this.process.signalCode})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no '${type}' within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', NODE_ENV: 'production' };
}

/** Waits until `url` answers (any status), bounded. */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch (error) {
      last = error;
      await sleep(100);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

/** Resident set size of a process, in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux): all its threads, or only thread `tid`
 * (the main thread's id is the process's).
 */
export function cpuSecondsOf(pid: number, tid?: number): number {
  const stat = readFileSync(
    tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`,
    'utf8',
  );
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/pid/stat; the slice starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Real article texts from the shared evaluation set, or null when it is absent. */
export function readArticles(): { texts: string[]; source: string } | null {
  const file = path.resolve(ROOT, '../shared/eval/cnn-corpus-dev.jsonl');
  if (!existsSync(file)) return null;
  const texts = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => (JSON.parse(line) as { text?: unknown }).text)
    .filter((text): text is string => typeof text === 'string' && text.trim().length > 200);
  return { texts, source: file };
}

/** A free TCP port on loopback, from the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The entry of a child script with several modes (`argv[2]` names one): runs it, exits 1 on an error, and never
 * outlives the benchmark that started it.
 */
export function runChildMode(modes: Record<string, () => Promise<void>>): void {
  const mode = process.argv[2];
  const run = mode ? modes[mode] : undefined;
  if (!run) {
    console.error(`unknown mode ${mode}; one of ${Object.keys(modes).join(', ')}`);
    process.exit(2);
  }
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
  process.once('disconnect', () => process.exit(0));
}
