import { Piscina } from 'piscina';

/** A CPU task ran past its time budget; its thread was stopped. Permanent: the same input would take as long again. */
export class CpuBudgetExceededError extends Error {
  override readonly name = 'CpuBudgetExceededError';

  constructor(
    message: string,
    readonly task: string,
    readonly budgetMs: number,
  ) {
    super(message);
  }
}

export interface CpuPoolOptions {
  /** The module the threads load; its named exports are the tasks. */
  readonly filename: string;
  /** Threads, and tasks run at once (`CPU_POOL_SIZE`). */
  readonly size: number;
  /** Extra Node options for the threads (e.g. a TypeScript loader when running from source). */
  readonly execArgv?: readonly string[];
}

/**
 * CPU-heavy steps (parsing and extracting pages, the built-in summarizer) run here, in worker threads, never on the
 * event loop of a process that renews job locks, serves HTTP and honours SIGTERM. Each task has a time budget; past
 * it the thread is terminated (piscina stops a running thread when its task's signal aborts) and replaced, and the
 * task fails with {@link CpuBudgetExceededError}.
 *
 * The budget counts running time only: a task first waits for a free slot here (at most `size` run at once, one per
 * thread), so time spent queued behind other jobs' tasks never counts against it. Piscina has no "task started"
 * notification to start a timer on, hence these few lines of slot keeping.
 */
export class CpuPool {
  /**
   * Each thread's young generation, in MB. V8 sizes a thread's young generation from the machine's memory, and a
   * summarizer thread allocating fast filled all of it between scavenges: a worker process (CPU_POOL_SIZE=1) draining
   * 20,000 text jobs stood at 605 MB RSS with the default and 423 MB with 8 MB, at the same job rate (a cap of the old
   * generation instead changed little). Only how often young garbage is collected changes: no task can run out of
   * memory for it (docs/performance.md).
   */
  static readonly YOUNG_GENERATION_MB = 8;

  private readonly piscina: Piscina;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: CpuPoolOptions) {
    this.piscina = new Piscina({
      filename: options.filename,
      minThreads: options.size,
      maxThreads: options.size,
      // Threads stay up: loading the parser and the language models costs more than keeping them.
      idleTimeout: Number.POSITIVE_INFINITY,
      execArgv: [...(options.execArgv ?? [])],
      resourceLimits: { maxYoungGenerationSizeMb: CpuPool.YOUNG_GENERATION_MB },
    });
  }

  get size(): number {
    return this.options.size;
  }

  /**
   * Runs the exported function `task` of the pool's module on `payload`. Rejects with {@link CpuBudgetExceededError}
   * (after `describe()`'s message) when it runs longer than `budgetMs`, and with `signal`'s reason when the caller
   * cancels it.
   */
  async run<T>(
    task: string,
    payload: unknown,
    { budgetMs, signal, describe }: { budgetMs: number; signal?: AbortSignal; describe: () => string },
  ): Promise<T> {
    signal?.throwIfAborted();
    await this.acquire(signal);
    const budget = AbortSignal.timeout(budgetMs);
    try {
      return (await this.piscina.run(payload, {
        name: task,
        signal: signal ? AbortSignal.any([signal, budget]) : budget,
      })) as T;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (budget.aborted) throw new CpuBudgetExceededError(describe(), task, budgetMs);
      throw error;
    } finally {
      this.release();
    }
  }

  /** Stops every thread (tasks still running are aborted). */
  async close(): Promise<void> {
    await this.piscina.close({ force: true });
  }

  private async acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.running < this.options.size) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', cancel);
        resolve();
      };
      const cancel = () => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', cancel, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter; `running` only drops when nobody waits.
    if (next) next();
    else this.running--;
  }
}
