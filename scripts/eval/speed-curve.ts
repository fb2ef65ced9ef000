/**
 * npm run eval:speed
 * Median time of the local summarizer on 1, 5, 20, 100 and 1000 KB of text: real articles from the development
 * sets when present (concatenated), otherwise generated prose.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LocalSummarizer } from '../../src/ai/local/local-summarizer';
import { evalDir, readRows } from './eval-data';

const SIZES_KB = [1, 5, 20, 100, 1000];

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
  console.log('| size | median ms | min ms | ms per KB |');
  console.log('|---:|---:|---:|---:|');
  for (const kb of SIZES_KB) {
    let sample = text;
    while (sample.length < kb * 1024) sample += '\n\n' + text;
    sample = sample.slice(0, kb * 1024);
    const runs = kb >= 1000 ? 5 : kb >= 100 ? 11 : 31;
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      // Different slices each run, so no run profits from a cache.
      const offset = (r * 7919) % Math.max(1, text.length - kb * 1024);
      const input = kb * 1024 < text.length ? text.slice(offset, offset + kb * 1024) : sample;
      const start = performance.now();
      await summarizer.summarize({ text: input });
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`| ${kb} KB | ${median.toFixed(2)} | ${times[0].toFixed(2)} | ${(median / kb).toFixed(3)} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
