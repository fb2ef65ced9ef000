/**
 * Child processes of the `live` benchmark section (scripts/bench/live-bench.ts), each with its own event loop:
 *   completer — a raw BullMQ Worker that completes the queued jobs one at a time, one every BENCH_LIVE_INTERVAL_MS
 *               after the orchestrator says `go`, with a result shaped as the service's worker stores it
 *   listener  — the baseline: a raw BullMQ QueueEvents subscriber noting when each `completed` event reaches it
 */
import { QueueEvents, Worker } from 'bullmq';
import { runChildMode, sleep } from './common';

const prefix = `${process.env.BENCH_PREFIX ?? ''}bull`;
const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', maxRetriesPerRequest: null };

async function completer(): Promise<void> {
  const intervalMs = Number(process.env.BENCH_LIVE_INTERVAL_MS ?? 20);
  let next = 0;
  const worker = new Worker(
    'summarize',
    async (job) => {
      // Paced: completions one interval apart, so each measures the path to the clients, not a queue of bursts.
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      next = Math.max(next, performance.now()) + intervalMs;
      return {
        summary: 'The benchmark completed this job. Its followers hear about it.',
        tags: ['benchmark', 'live'],
        input_type: (job.data as { inputType?: string }).inputType ?? 'text',
        provider: 'local',
        model: 'bench',
        usage: null,
        fallback: false,
      };
    },
    { connection, prefix, concurrency: 1, autorun: false },
  );
  await worker.waitUntilReady();
  process.send?.({ type: 'ready' });
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'go') worker.run().catch((error: unknown) => console.error(error));
  });
  process.once('SIGTERM', () => void worker.close().finally(() => process.exit(0)));
}

async function listener(): Promise<void> {
  const heard = new Map<string, number>();
  const events = new QueueEvents('summarize', { connection, prefix });
  events.on('completed', ({ jobId }) => heard.set(jobId, Date.now()));
  await events.waitUntilReady();
  process.send?.({ type: 'ready' });
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'report') process.send?.({ type: 'result', heard: Object.fromEntries(heard) });
  });
  process.once('SIGTERM', () => void events.close().finally(() => process.exit(0)));
}

runChildMode({ completer, listener });
