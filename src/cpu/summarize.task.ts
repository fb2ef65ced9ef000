/** The module the summarizer pool's threads load (see CpuPool): the built-in summarizer, one instance per thread. */
import { LocalSummarizer } from '../ai/local/local-summarizer';
import type { Summary } from '../ai/summarizer';

export interface SummarizeTask {
  readonly text: string;
  readonly title?: string;
}

let summarizer: LocalSummarizer | undefined;

export async function summarize({ text, title }: SummarizeTask): Promise<Summary> {
  summarizer ??= new LocalSummarizer();
  return summarizer.summarize({ text, title });
}
