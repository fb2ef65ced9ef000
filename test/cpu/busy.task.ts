/** Tasks for the CPU pool's tests, loaded by its threads. */

/** Keeps the thread's CPU busy for `ms` (a synchronous loop: nothing but terminating the thread stops it). */
export function spin({ ms }: { ms: number }): number {
  const until = Date.now() + ms;
  let n = 0;
  while (Date.now() < until) n++;
  return n;
}

export function echo(value: unknown): unknown {
  return value;
}

export function explode({ message }: { message: string }): never {
  throw new Error(message);
}

/** The thread's own resource limits, as Node applied them (worker_threads.resourceLimits). */
export async function limits(): Promise<unknown> {
  const { resourceLimits } = await import('node:worker_threads');
  return resourceLimits;
}
