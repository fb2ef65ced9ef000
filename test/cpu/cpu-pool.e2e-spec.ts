import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuBudgetExceededError, CpuPool } from '../../src/cpu/cpu-pool';

describe('CpuPool (real worker threads)', () => {
  const pool = new CpuPool({
    size: 2,
    filename: join(__dirname, 'busy.task.ts'),
    execArgv: ['--import', 'tsx'],
  });
  afterAll(() => pool.close());
  const describeBudget = () => 'took too long';

  it('runs its threads with a small young generation (RSS under a job backlog), leaving the old one to V8', async () => {
    const limits = await pool.run('limits', {}, { budgetMs: 10_000, describe: describeBudget });
    expect(limits).toMatchObject({ maxYoungGenerationSizeMb: CpuPool.YOUNG_GENERATION_MB });
    expect(CpuPool.YOUNG_GENERATION_MB).toBeLessThanOrEqual(16);
  });

  it('runs named tasks in threads and returns their values', async () => {
    await expect(pool.run('echo', { a: 1 }, { budgetMs: 10_000, describe: describeBudget })).resolves.toEqual(
      { a: 1 },
    );
  });

  it('stops a task that runs past its budget, and the pool keeps serving', async () => {
    const started = Date.now();
    const error: unknown = await pool
      .run('spin', { ms: 60_000 }, { budgetMs: 500, describe: describeBudget })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CpuBudgetExceededError);
    expect(error).toMatchObject({ message: 'took too long', task: 'spin', budgetMs: 500 });
    // Terminated, not waited for: a minute of spinning was cut short (generous bound for a loaded machine).
    expect(Date.now() - started).toBeLessThan(20_000);
    await expect(
      pool.run('echo', 'still here', { budgetMs: 10_000, describe: describeBudget }),
    ).resolves.toBe('still here');
  });

  it('counts running time only: tasks queued behind busy threads are not charged for the wait', async () => {
    // Two threads busy for 1.5 s each; a third task with a 1 s budget waits for a slot, then runs in 0.1 s.
    const busy = [1, 2].map(() =>
      pool.run('spin', { ms: 1_500 }, { budgetMs: 30_000, describe: describeBudget }),
    );
    const queued = pool.run('spin', { ms: 100 }, { budgetMs: 1_000, describe: describeBudget });
    await expect(Promise.all([...busy, queued])).resolves.toHaveLength(3);
  });

  it('passes a task error through, and cancels with the caller signal (queued or running)', async () => {
    await expect(
      pool.run('explode', { message: 'boom' }, { budgetMs: 10_000, describe: describeBudget }),
    ).rejects.toThrow('boom');
    const controller = new AbortController();
    const running = pool.run(
      'spin',
      { ms: 60_000 },
      { budgetMs: 60_000, signal: controller.signal, describe: describeBudget },
    );
    setTimeout(() => controller.abort(new Error('job cancelled')), 200);
    await expect(running).rejects.toThrow('job cancelled');
  });
});
