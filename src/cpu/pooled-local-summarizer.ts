import type { SummarizeRequest, Summarizer, Summary } from '../ai/summarizer';
import { LOCAL_SUMMARIZER_IDENTITY } from '../ai/summarizer-identity';
import type { CpuPool } from './cpu-pool';
import type { SummarizeTask } from './summarize.task';
import { seconds } from './pooled-article-extraction';

/**
 * The built-in summarizer, run in the CPU pool within `SUMMARIZE_TIMEOUT_MS`: it can use every core, and an input
 * that would take too long fails its job (CpuBudgetExceededError, permanent) instead of pinning a worker's event loop.
 */
export class PooledLocalSummarizer implements Summarizer {
  readonly identity = LOCAL_SUMMARIZER_IDENTITY;

  constructor(
    private readonly pool: CpuPool,
    private readonly budgetMs: number,
  ) {}

  summarize({ text, title, signal }: SummarizeRequest): Promise<Summary> {
    const task: SummarizeTask = { text, title };
    return this.pool.run<Summary>('summarize', task, {
      budgetMs: this.budgetMs,
      signal,
      describe: () => `The text took too long to summarize (more than ${seconds(this.budgetMs)}).`,
    });
  }
}
