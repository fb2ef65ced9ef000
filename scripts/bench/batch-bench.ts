/**
 * Section `batch` of `npm run bench`: what AI batching saves, against the fake Gemini and OpenAI-compatible APIs on
 * loopback (no network, no key). For each provider, 256 distinct short inputs (~150–400 estimated tokens) are
 * submitted at once through an {@link AiBatcher} with AI_BATCH_SIZE=8 and with AI_BATCH_SIZE=1, and the fakes count
 * the calls and report tokens the way a real API does (the whole prompt: instructions, schema, framing, text). Then a
 * lone input is timed both ways: batched, it waits AI_BATCH_WAIT_MS for company before going the single way.
 *
 * Then the same at the job level, under a quota: the built service (API and worker in one process) against the fake
 * Gemini limited to 60 calls per minute (429 with RetryInfo past it), BENCH_BATCH_JOBS distinct inputs submitted at
 * once, summaries per second until all are done or BENCH_BATCH_WINDOW_S has passed, AI_BATCH_SIZE=8 against 1. 600
 * jobs need 75 batched calls, so both sides meet the quota (the batched one after its first 480 summaries).
 *
 * Settings (environment): BENCH_BATCH_INPUTS (256), BENCH_BATCH_LONE (31 timed lone inputs per side),
 * BENCH_BATCH_JOBS (600), BENCH_BATCH_WINDOW_S (75), BENCH_PREFIX (key prefix; Redis keys are deleted after).
 */
import { AiBatcher } from '../../src/ai/batch/ai-batcher';
import { GeminiSummarizer } from '../../src/ai/gemini/gemini-summarizer';
import { InputBudget } from '../../src/ai/input-budget';
import { OpenAiSummarizer } from '../../src/ai/openai/openai-summarizer';
import type { RemoteSummarizer } from '../../src/ai/remote-summarizer';
import type { Summary } from '../../src/ai/summarizer';
import { fakeSummaryOf } from '../../test/fakes/fake-batch';
import { FakeGeminiApi } from '../../test/fakes/fake-gemini-api';
import { FakeOpenAiApi } from '../../test/fakes/fake-openai-api';
import { Redis } from 'ioredis';
import { Child, deleteKeys, freePort, REDIS_URL, sleep, waitForHttp } from './common';

const INPUTS = Number(process.env.BENCH_BATCH_INPUTS ?? 256);
const JOBS = Number(process.env.BENCH_BATCH_JOBS ?? 600);
const WINDOW_S = Number(process.env.BENCH_BATCH_WINDOW_S ?? 75);
/** The quota of the fake, as a provider's free or low tier sets it. */
const QUOTA = { calls: 60, perMs: 60_000 } as const;
const LONE = Number(process.env.BENCH_BATCH_LONE ?? 31);
const BATCH = { batchSize: 8, maxWaitMs: 50, maxInputTokens: 1_000 } as const;

/** How run-bench.ts prints: a log line, and a row of its results table. */
export interface BenchReport {
  log(line: string): void;
  row(
    name: string,
    ours: string,
    baseline: string,
    ratio: string,
    target: string,
    pass: boolean | null,
  ): void;
}

interface Side {
  readonly calls: number;
  readonly tokens: number;
  readonly costUsd: number;
  readonly ms: number;
}

interface Provider {
  readonly name: string;
  readonly fake: FakeGeminiApi | FakeOpenAiApi;
  make(): RemoteSummarizer;
}

const TOPICS = [
  ['harbour', 'ferries', 'tides', 'dockworkers', 'cranes'],
  ['orchard', 'apples', 'frost', 'pickers', 'cider'],
  ['observatory', 'comets', 'telescopes', 'students', 'nebulae'],
  ['library', 'manuscripts', 'archivists', 'donors', 'catalogues'],
  ['railway', 'signals', 'engineers', 'timetables', 'tunnels'],
  ['vineyard', 'harvest', 'cellars', 'growers', 'barrels'],
  ['hospital', 'nurses', 'wards', 'surgeons', 'budgets'],
  ['festival', 'musicians', 'stages', 'tickets', 'volunteers'],
];

/** Distinct articles of ~150–400 estimated tokens each, deterministic so every run measures the same text. */
export function batchBenchInputs(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const words = TOPICS[i % TOPICS.length];
    const target = 150 + ((i * 97) % 251);
    const sentences = [`Report ${i} from the ${words[0]} desk covers item ${i * 7919}.`];
    for (let s = 0; InputBudget.estimateTokens(sentences.join(' ')) < target; s++) {
      const [a, b, c] = [words[(s + 1) % 5], words[(s + 2) % 5], words[(s + 3) % 5]];
      sentences.push(`On day ${s + 1} the ${a} met the ${b} about ${c}, and figure ${i}.${s} was recorded.`);
    }
    return sentences.join(' ');
  });
}

function p50(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Submits every input at once and checks each came back with its own summary. */
async function runAll(
  summarize: (text: string) => Promise<Summary>,
  texts: readonly string[],
): Promise<Side> {
  const started = performance.now();
  const results = await Promise.all(texts.map((text) => summarize(text)));
  const ms = performance.now() - started;
  results.forEach((result, i) => {
    if (result.summary !== fakeSummaryOf(texts[i]).summary) throw new Error(`input ${i} got another summary`);
  });
  return {
    calls: results.reduce((sum, result) => sum + (result.calls ?? 0), 0),
    tokens: results.reduce((sum, result) => sum + (result.usage?.totalTokens ?? 0), 0),
    costUsd: results.reduce((sum, result) => sum + (result.costUsd ?? 0), 0),
    ms,
  };
}

/** Latencies of lone inputs, one after the other (nothing else waiting). */
async function loneLatencies(
  summarize: (text: string) => Promise<Summary>,
  texts: readonly string[],
): Promise<number[]> {
  const times: number[] = [];
  for (const text of texts) {
    const started = performance.now();
    await summarize(text);
    times.push(performance.now() - started);
  }
  return times;
}

async function benchProvider(provider: Provider, report: BenchReport): Promise<void> {
  const { fake } = provider;
  const texts = batchBenchInputs(INPUTS);
  const lone = batchBenchInputs(INPUTS + 2 * LONE).slice(INPUTS);
  await fake.start();
  try {
    // Warm-up: connections, JIT.
    await provider.make().summarize({ text: lone[0] });
    fake.reset();

    const single = provider.make();
    const unbatched = await runAll((text) => single.summarize({ text }), texts);
    if (fake.calls.length !== unbatched.calls)
      throw new Error(`${provider.name}: calls reported ≠ calls received`);
    fake.reset();
    const batcher = new AiBatcher(provider.make(), BATCH);
    const batched = await runAll((text) => batcher.summarize({ text }), texts);
    if (fake.calls.length !== batched.calls)
      throw new Error(`${provider.name}: calls reported ≠ calls received`);
    const sizes = fake.calls.map((call) => call.ids?.length ?? 1);
    fake.reset();

    const loneSingle = await loneLatencies((text) => single.summarize({ text }), lone.slice(0, LONE));
    const loneBatched = await loneLatencies((text) => batcher.summarize({ text }), lone.slice(LONE));

    report.log(
      `  ${provider.name}: ${INPUTS} inputs — unbatched ${unbatched.calls} calls, ${unbatched.tokens} tokens, $${unbatched.costUsd.toFixed(6)}, ${unbatched.ms.toFixed(0)} ms; ` +
        `batched ${batched.calls} calls (sizes ${[...new Set(sizes)].join('/')}), ${batched.tokens} tokens, $${batched.costUsd.toFixed(6)}, ${batched.ms.toFixed(0)} ms`,
    );
    const callRatio = unbatched.calls / batched.calls;
    report.row(
      `6. batch calls, ${INPUTS} inputs (${provider.name})`,
      String(batched.calls),
      String(unbatched.calls),
      `${callRatio.toFixed(2)}× fewer`,
      '≥ 6× fewer',
      callRatio >= 6,
    );
    const saved = 1 - batched.tokens / unbatched.tokens;
    report.row(
      `6. batch tokens, ${INPUTS} inputs (${provider.name})`,
      String(batched.tokens),
      String(unbatched.tokens),
      `${(saved * 100).toFixed(1)}% fewer`,
      '≥ 30% fewer',
      saved >= 0.3,
    );
    report.row(
      `6. batch cost, ${INPUTS} inputs (${provider.name}, USD)`,
      batched.costUsd.toFixed(6),
      unbatched.costUsd.toFixed(6),
      `${((1 - batched.costUsd / unbatched.costUsd) * 100).toFixed(1)}% less`,
      'report',
      null,
    );
    const [ours, baseline] = [p50(loneBatched), p50(loneSingle)];
    const bound = baseline + BATCH.maxWaitMs + 10;
    report.row(
      `6. lone input p50 latency (${provider.name}, ms)`,
      ours.toFixed(1),
      baseline.toFixed(1),
      `+${(ours - baseline).toFixed(1)} ms`,
      `≤ +${BATCH.maxWaitMs + 10} ms`,
      ours <= bound,
    );
  } finally {
    await fake.stop();
  }
}

/** Summaries per second of the built service under the fake's quota, with AI_BATCH_SIZE `batchSize`. */
async function jobsUnderQuota(
  batchSize: number,
  prefix: string,
): Promise<{ done: number; seconds: number; calls: number }> {
  const fake = await new FakeGeminiApi({ usage: 'estimated', rateLimit: QUOTA }).start();
  const port = await freePort();
  const keyPrefix = `${prefix.slice(0, -1)}-quota${batchSize}:`;
  const service = Child.service({
    REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    PROCESS_ROLE: 'all',
    PORT: String(port),
    HOST: '127.0.0.1',
    AI_PROVIDER: 'gemini',
    GEMINI_API_KEY: 'bench',
    GEMINI_BASE_URL: fake.url,
    AI_BATCH_SIZE: String(batchSize),
    LOG_LEVEL: 'warn',
  });
  const redis = new Redis(REDIS_URL);
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/health`);
    const texts = batchBenchInputs(INPUTS + JOBS).slice(INPUTS);
    const started = performance.now();
    await Promise.all(
      texts.map((input) =>
        fetch(`${base}/api/submit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input }),
        }).then((response) => response.arrayBuffer()),
      ),
    );
    let done = 0;
    let seconds = WINDOW_S;
    while ((performance.now() - started) / 1000 < WINDOW_S) {
      const analytics = (await (await fetch(`${base}/api/analytics`)).json()) as { jobs_completed: number };
      done = analytics.jobs_completed;
      if (done >= JOBS) {
        seconds = (performance.now() - started) / 1000;
        break;
      }
      await sleep(250);
    }
    return { done, seconds, calls: fake.calls.filter((call) => !call.rateLimited).length };
  } finally {
    await service.stop();
    await fake.stop();
    await deleteKeys(redis, `${keyPrefix}*`);
    redis.disconnect();
  }
}

/** Job-level throughput under a 60-calls-per-minute quota, batched against unbatched. */
async function benchQuota(report: BenchReport, prefix: string): Promise<void> {
  const batched = await jobsUnderQuota(BATCH.batchSize, prefix);
  const unbatched = await jobsUnderQuota(1, prefix);
  const [ours, baseline] = [batched.done / batched.seconds, unbatched.done / unbatched.seconds];
  report.log(
    `  under a quota of ${QUOTA.calls} calls/min: batched ${batched.done}/${JOBS} jobs in ${batched.seconds.toFixed(1)} s (${batched.calls} calls); ` +
      `unbatched ${unbatched.done}/${JOBS} in ${unbatched.seconds.toFixed(1)} s (${unbatched.calls} calls)`,
  );
  report.row(
    `6. summaries/s under a 429 limit of ${QUOTA.calls} calls/min (Gemini fake, ${JOBS} jobs, service)`,
    ours.toFixed(2),
    baseline.toFixed(2),
    `${(ours / baseline).toFixed(1)}×`,
    'higher',
    ours > baseline,
  );
}

/** The `batch` section: both providers, AI_BATCH_SIZE=8 against AI_BATCH_SIZE=1. */
export async function runBatchBench(
  report: BenchReport,
  prefix = process.env.BENCH_PREFIX ?? 'bench-batch:',
): Promise<void> {
  report.log(
    `\n## 6. AI batching — ${INPUTS} distinct inputs of ~150–400 tokens at once, AI_BATCH_SIZE=${BATCH.batchSize} vs 1 (AI_BATCH_WAIT_MS=${BATCH.maxWaitMs}); fake APIs on loopback reporting tokens of the whole prompt; ${LONE} lone inputs timed per side`,
  );
  const gemini = new FakeGeminiApi({ usage: 'estimated' });
  const openai = new FakeOpenAiApi({ usage: 'estimated' });
  const common = { timeoutMs: 30_000, maxInputTokens: 8_000 };
  await benchProvider(
    {
      name: 'Gemini',
      fake: gemini,
      make: () =>
        new GeminiSummarizer({
          ...common,
          apiKey: 'bench',
          model: 'gemini-3.5-flash-lite',
          baseUrl: gemini.url,
        }),
    },
    report,
  );
  await benchProvider(
    {
      name: 'OpenAI',
      fake: openai,
      make: () =>
        new OpenAiSummarizer({ ...common, apiKey: 'bench', model: 'gpt-4o-mini', baseUrl: openai.url }),
    },
    report,
  );
  await benchQuota(report, prefix);
}

// Run alone: `npx tsx scripts/bench/batch-bench.ts`.
if (require.main === module) {
  const rows: string[] = [];
  runBatchBench({
    log: (line) => process.stdout.write(`${line}\n`),
    row: (name, ours, baseline, ratio, target, pass) =>
      rows.push(
        `| ${name} | ${ours} | ${baseline} | ${ratio} | ${target} | ${pass === null ? '' : pass ? 'pass' : 'MISS'} |`,
      ),
  })
    .then(() => {
      process.stdout.write(
        `\n| benchmark | batched | unbatched | ratio | target | |\n|---|---:|---:|---:|---|---|\n${rows.join('\n')}\n`,
      );
      if (rows.some((row) => row.endsWith('MISS |'))) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 2;
    });
}
