/**
 * Section 3b's ceiling: the built-in summarizer alone in a piscina pool of BENCH_THREADS threads (the module the
 * service's CPU pool loads, `dist/cpu/summarize.task.js`), fed the inputs it is sent with two tasks in flight per
 * thread. No Redis, no BullMQ, no service: what 2 threads against 1 can gain on this machine for this very work.
 */
import path from 'node:path';
import { Piscina } from 'piscina';
import { ROOT, runChildMode } from './common';

async function summarizeAll(): Promise<void> {
  const threads = Number(process.env.BENCH_THREADS ?? 1);
  const pool = new Piscina({
    filename: path.join(ROOT, 'dist', 'cpu', 'summarize.task.js'),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  const inputs = await new Promise<string[]>((resolve) =>
    process.once('message', (message: { inputs: string[] }) => resolve(message.inputs)),
  );
  // Warm-up: every thread loads the summarizer's models before the clock starts.
  await Promise.all(
    Array.from({ length: threads * 4 }, (_, i) =>
      pool.run({ text: inputs[i % inputs.length] }, { name: 'summarize' }),
    ),
  );
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < inputs.length) await pool.run({ text: inputs[next++] }, { name: 'summarize' });
  };
  await Promise.all(Array.from({ length: threads * 2 }, lane));
  const seconds = (performance.now() - started) / 1000;
  process.send?.({ type: 'result', jobs: inputs.length, seconds });
  await pool.destroy();
}

runChildMode({ summarize: summarizeAll });
