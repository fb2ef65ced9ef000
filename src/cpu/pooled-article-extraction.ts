import type { ArticleExtraction } from '../content/content-fetcher';
import type { ExtractedArticle, ExtractionInput } from '../content/article-extractor';
import { ContentFetchError } from '../content/content-errors';
import { CpuBudgetExceededError, type CpuPool } from './cpu-pool';
import type { ExtractOutcome, ExtractTask } from './extract.task';

/** Page extraction in the CPU pool, within `EXTRACT_TIMEOUT_MS`. */
export class PooledArticleExtraction implements ArticleExtraction {
  constructor(
    private readonly pool: CpuPool,
    private readonly options: { readonly minChars: number; readonly budgetMs: number },
  ) {}

  async extract(input: ExtractionInput, signal?: AbortSignal): Promise<ExtractedArticle> {
    const task: ExtractTask = { input, minChars: this.options.minChars };
    let outcome: ExtractOutcome;
    try {
      outcome = await this.pool.run<ExtractOutcome>('extract', task, {
        budgetMs: this.options.budgetMs,
        signal,
        describe: () => `The page took too long to process (more than ${seconds(this.options.budgetMs)}).`,
      });
    } catch (error) {
      if (error instanceof CpuBudgetExceededError) {
        throw new ContentFetchError(error.message, 'too-slow', false, { cause: error });
      }
      throw error;
    }
    if (outcome.ok) return outcome.article;
    throw new ContentFetchError(outcome.message, outcome.kind, outcome.retryable);
  }
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
