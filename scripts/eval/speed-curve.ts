/**
 * npm run eval:speed
 * Median time of the local summarizer on 1, 5, 20, 100 and 1000 KB of text: real articles from the development
 * sets when present (concatenated), otherwise generated prose. The machine may be shared, so each size also times,
 * on the same inputs and interleaved with ours, a naive Lead-3 (regex sentence split, first three): the ratio
 * between the two is stable under load when the absolute figures are not.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LocalSummarizer } from '../../src/ai/local/local-summarizer';
import { evalDir, readRows } from './eval-data';

const SIZES_KB = [1, 5, 20, 100, 1000];
const BASELINE_BATCH = 20;

function corpus(): { text: string; source: string } {
  const file = path.join(evalDir(), 'cnn-corpus-dev.jsonl');
  if (existsSync(file))
    return {
      text: readRows(file)
        .map((r) => r.text)
        .join('\n\n'),
      source: file,
    };
  const words = 'harbour ferry council island passengers weather crossing terminal budget plan'.split(' ');
  const sentences = Array.from(
    { length: 20_000 },
    (_, i) =>
      `The ${words[i % 10]} report number ${i} mentions the ${words[(i * 7) % 10]} and the ${words[(i * 3) % 10]}.`,
  );
  return { text: sentences.join(' '), source: 'generated prose' };
}

async function main(): Promise<void> {
  const { text, source } = corpus();
  const summarizer = new LocalSummarizer();
  await summarizer.summarize({ text: text.slice(0, 20_000) });
  console.log(`source: ${source}\n`);
  console.log(
    '| size | runs | median ms | min ms | ms per KB | naive Lead-3 median ms | ratio to naive Lead-3 |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const kb of SIZES_KB) {
    let sample = text;
    while (sample.length < kb * 1024) sample += '\n\n' + text;
    sample = sample.slice(0, kb * 1024);
    const runs = kb >= 1000 ? 9 : kb >= 100 ? 31 : 201;
    const ours: number[] = [];
    const naive: number[] = [];
    for (let r = 0; r < runs; r++) {
      // Different slices each run, so no run profits from a cache.
      const offset = (r * 7919) % Math.max(1, text.length - kb * 1024);
      const input = kb * 1024 < text.length ? text.slice(offset, offset + kb * 1024) : sample;
      // The baseline is too quick for the timer alone: time a batch and divide.
      let start = performance.now();
      for (let k = 0; k < BASELINE_BATCH; k++) naiveLead3(input + String(k));
      naive.push((performance.now() - start) / BASELINE_BATCH);
      start = performance.now();
      await summarizer.summarize({ text: input });
      ours.push(performance.now() - start);
    }
    const m = median(ours);
    const b = median(naive);
    console.log(
      `| ${kb} KB | ${runs} | ${m.toFixed(2)} | ${Math.min(...ours).toFixed(2)} | ${(m / kb).toFixed(3)} | ${b.toFixed(4)} | ${(m / b).toFixed(0)}× |`,
    );
  }
}

/** The cheapest possible extractive summary: split at sentence punctuation, keep the first three. */
function naiveLead3(text: string): string {
  return text
    .split(/(?<=[.!?])\s+/)
    .slice(0, 3)
    .join(' ');
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
