/**
 * npm run eval [-- --no-peers] [-- --only cnn-corpus-dev.jsonl]
 * Runs the local summarizer (no server) and the JavaScript peers on the development sets, scores them with
 * ../shared/eval/score.py, and prints ROUGE side by side with Lead-3, tag precision and time per article.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalSummarizer } from '../../src/ai/local/local-summarizer';
import { EVAL_FILES, locateEvalData, readRows, type EvalRow } from './eval-data';
import { PEERS, type PeerSystem } from './peer-systems';

interface Prediction {
  id: string;
  summary: string;
  tags: string[];
}
interface ScoreOutput {
  n: number;
  rouge: { ours: number[]; lead3: number[] };
  tags?: { n: number; ours_precision: number; freq_baseline_precision: number };
}
interface SystemResult {
  name: string;
  kind: 'summary' | 'tags' | 'both';
  predictions: Prediction[];
  millis: number[];
  failures: number;
}

const args = process.argv.slice(2);
const withPeers = !args.includes('--no-peers');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const outDir = process.env.EVAL_OUT ?? path.join(os.tmpdir(), 'smartcache-eval');

async function runOurs(rows: readonly EvalRow[]): Promise<SystemResult> {
  const summarizer = new LocalSummarizer();
  await summarizer.summarize({ text: 'Warm up the models. It takes a moment.' });
  const result: SystemResult = {
    name: 'ours (local)',
    kind: 'both',
    predictions: [],
    millis: [],
    failures: 0,
  };
  for (const row of rows) {
    const start = performance.now();
    const { summary, tags } = await summarizer.summarize({ text: row.text, title: row.title });
    result.millis.push(performance.now() - start);
    result.predictions.push({ id: row.id, summary, tags });
  }
  return result;
}

async function runPeer(peer: PeerSystem, rows: readonly EvalRow[]): Promise<SystemResult> {
  const result: SystemResult = { name: peer.name, kind: peer.kind, predictions: [], millis: [], failures: 0 };
  for (const row of rows) {
    const start = performance.now();
    let out: string[] = [];
    try {
      out = await peer.run(row.text);
    } catch {
      result.failures++;
    }
    result.millis.push(performance.now() - start);
    result.predictions.push(
      peer.kind === 'summary'
        ? { id: row.id, summary: out.join(' '), tags: [] }
        : { id: row.id, summary: '', tags: out },
    );
  }
  return result;
}

function score(dir: string, gold: string, predictions: readonly Prediction[], label: string): ScoreOutput {
  const predFile = path.join(outDir, `${label}.jsonl`);
  writeFileSync(predFile, predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');
  const out = execFileSync('python3', [path.join(dir, 'score.py'), gold, predFile], { encoding: 'utf8' });
  return JSON.parse(out) as ScoreOutput;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
}

function fmt(n: number | undefined, width = 7): string {
  return (n === undefined ? '—' : n.toFixed(2)).padStart(width);
}

/** Gold subsets for the tuning report: even rows (used for tuning) and odd rows (held out). */
function halves(dir: string, file: string, rows: readonly EvalRow[]): Array<{ label: string; gold: string }> {
  const out: Array<{ label: string; gold: string }> = [{ label: 'all', gold: path.join(dir, file) }];
  if (!file.startsWith('cnn-corpus')) return out;
  for (const [label, parity] of [
    ['even (tune)', 0],
    ['odd (held out)', 1],
  ] as const) {
    const gold = path.join(outDir, `${file}.${parity === 0 ? 'even' : 'odd'}.gold.jsonl`);
    const subset = rows.filter((_, i) => i % 2 === parity);
    writeFileSync(gold, subset.map((r) => JSON.stringify(r)).join('\n') + '\n');
    out.push({ label, gold });
  }
  return out;
}

async function main(): Promise<number> {
  const dir = locateEvalData();
  if (!dir) return 0;
  mkdirSync(outDir, { recursive: true });
  for (const file of EVAL_FILES) {
    if (only && only !== file) continue;
    const rows = readRows(path.join(dir, file));
    const systems = [await runOurs(rows)];
    if (withPeers) for (const peer of PEERS) systems.push(await runPeer(peer, rows));
    console.log(`\n## ${file} (${rows.length} rows)\n`);
    console.log('| system | subset | ROUGE-1 | ROUGE-2 | ROUGE-L | tag precision | median ms | failures |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const subset of halves(dir, file, rows)) {
      let lead3: number[] | undefined;
      let freq: number | undefined;
      for (const system of systems) {
        const label = `${file}.${system.name.replace(/\W+/g, '-')}`;
        const s = score(dir, subset.gold, system.predictions, label);
        lead3 = s.rouge.lead3;
        freq = s.tags?.freq_baseline_precision;
        const rouge = system.kind === 'tags' ? [undefined, undefined, undefined] : s.rouge.ours;
        const tags = system.kind === 'summary' ? undefined : s.tags?.ours_precision;
        console.log(
          `| ${system.name} | ${subset.label} |${fmt(rouge[0])} |${fmt(rouge[1])} |${fmt(rouge[2])} |${fmt(tags)} |${fmt(median(system.millis))} | ${system.failures} |`,
        );
      }
      console.log(
        `| Lead-3 | ${subset.label} |${fmt(lead3?.[0])} |${fmt(lead3?.[1])} |${fmt(lead3?.[2])} |${fmt(undefined)} | | |`,
      );
      if (freq !== undefined) console.log(`| frequency tags | ${subset.label} | | | |${fmt(freq)} | | |`);
    }
    const ours = systems[0];
    const total = ours.millis.reduce((a, b) => a + b, 0);
    console.log(
      `\nours: ${(total / rows.length).toFixed(2)} ms/article mean, ${median(ours.millis).toFixed(2)} ms median; predictions in ${outDir}`,
    );
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
