/**
 * Saves the pictures of the operator pages shown in the docs: docs/dashboard.png, docs/dashboard-narrow.png and
 * docs/admin-queues.png. A script rather than part of a test, so test runs never rewrite committed files.
 *
 *   npm run screenshots            (builds first; needs Redis and /usr/bin/chromium)
 *   SCREENSHOT_SECONDS=300 npm run screenshots   (longer traffic: fuller charts)
 *
 * It starts the built service (dist/main.js) with ADMIN_TOKEN and a fake OpenAI-compatible server on loopback (so
 * jobs report a model, tokens and realistic latencies), sends a few minutes of mixed traffic (repeats that hit the
 * cache, new inputs, duplicates of inputs still being processed, a burst that fills the queue, a few inputs the model
 * refuses), then photographs the pages in Chromium while the traffic still runs. Its Redis keys live under a prefix
 * of their own and are deleted at the end.
 */
import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { FakeHttpAnswer } from '../test/fakes/fake-http-server';
import { FakeOpenAiApi, type FakeOpenAiReply } from '../test/fakes/fake-openai-api';
import { launchChromium } from '../test/support/browser';
import { freePort } from '../test/support/redis-server';
import { ServiceProcess } from '../test/support/service-process';
import { deleteKeys, ROOT, sleep } from './bench/common';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.SCREENSHOT_SECONDS ?? 240);
const TOKEN = 'screenshot-admin-token-0000';
const DOCS = path.join(ROOT, 'docs');

/** A small deterministic generator (mulberry32), so two runs send the same traffic. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const rand = random(16);
const between = (low: number, high: number) => Math.round(low + rand() * (high - low));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];

const SUBJECTS = [
  ['The city council', 'city council'],
  ['A regional hospital', 'healthcare'],
  ['The central bank', 'central bank'],
  ['A solar start-up', 'solar energy'],
  ['The university', 'higher education'],
] as const;
const ACTIONS = [
  ['approved a new budget', 'budget'],
  ['announced a hiring freeze', 'hiring freeze'],
  ['opened a research lab', 'research'],
  ['cut its forecast', 'forecast'],
] as const;
const DETAILS = [
  'Officials said the change takes effect next month.',
  'Critics called the decision rushed.',
  'Analysts expect further announcements this quarter.',
  'Residents will be able to comment until Friday.',
];

interface Article {
  readonly input: string;
  /** What the fake model answers for it: a summary of this input and tags from it. */
  readonly summary: string;
  readonly tags: string[];
}

/** A new article-like input each call (the report number makes it unique). */
let articles = 0;
function newArticle(): Article {
  articles += 1;
  const [subject, subjectTag] = pick(SUBJECTS);
  const [action, actionTag] = pick(ACTIONS);
  const programmes = between(2, 40);
  const staff = between(100, 5000);
  const detail = pick(DETAILS);
  return {
    input: `${subject} ${action} on Monday, report number ${articles}. The plan covers ${programmes} programmes and ${staff} staff. ${detail}`,
    summary: `${subject} ${action}, covering ${programmes} programmes and ${staff} staff. ${detail}`,
    tags: [subjectTag, actionTag],
  };
}

/**
 * The fake model answers each input with that input's own summary: workers call it in any order, so the answers are
 * looked up by the report number in the prompt rather than taken from the fake's first-in, first-out script.
 */
class ArticleAwareOpenAi extends FakeOpenAiApi {
  readonly replies = new Map<string, FakeOpenAiReply>();

  protected override answer(request: IncomingMessage, rawBody: string): FakeHttpAnswer {
    const number = /report number (\d+)/.exec(rawBody)?.[1];
    const reply = number === undefined ? undefined : this.replies.get(number);
    if (reply) this.enqueue(reply);
    return super.answer(request, rawBody);
  }
}

async function main(): Promise<void> {
  const prefix = `screenshots-${Date.now().toString(36)}:`;
  const ai = await new ArticleAwareOpenAi().start();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const service = ServiceProcess.start({
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    ADMIN_TOKEN: TOKEN,
    AI_PROVIDER: 'openai',
    OPENAI_BASE_URL: ai.url,
    OPENAI_API_KEY: 'sk-screenshots',
    WORKER_COUNT: '4',
    LOG_LEVEL: 'warn',
  });
  const redis = new Redis(REDIS_URL);
  const browser = await launchChromium();
  let running = true;
  try {
    await waitUntilUp(baseUrl);
    const submitted: Array<{ input: string; at: number }> = [];
    const submit = (input: string) =>
      fetch(`${baseUrl}/api/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input }),
      }).then(
        (response) => response.body?.cancel(),
        () => undefined,
      );
    const newInput = () => {
      // Each new input is one AI call: a latency and a token count like a small hosted model's, 1 in 25 refused.
      const article = newArticle();
      ai.replies.set(
        String(articles),
        FakeOpenAiApi.hang(
          between(180, 1400),
          rand() < 0.04
            ? FakeOpenAiApi.contentFiltered()
            : FakeOpenAiApi.summary(
                article.summary,
                article.tags,
                usage(between(250, 1400), between(40, 90)),
              ),
        ),
      );
      submitted.push({ input: article.input, at: Date.now() });
      return article.input;
    };

    const started = Date.now();
    const traffic = (async () => {
      for (let second = 0; running; second++) {
        const rate = Math.max(1, Math.round(7 + 5 * Math.sin((2 * Math.PI * second) / 70) + rand() * 3));
        const burst = second === Math.round(SECONDS * 0.55) ? 70 : 0;
        const sends: Array<Promise<unknown>> = [];
        for (let i = 0; i < rate + burst; i++) {
          const old = submitted.filter((entry) => Date.now() - entry.at > 4_000);
          const recent = submitted.filter((entry) => Date.now() - entry.at < 600);
          const roll = rand();
          const input =
            i >= rate
              ? newInput()
              : roll < 0.62 && old.length > 0
                ? pick(old).input
                : roll < 0.72 && recent.length > 0
                  ? pick(recent).input
                  : newInput();
          sends.push(submit(input));
        }
        await Promise.all(sends);
        await sleep(Math.max(0, started + (second + 1) * 1_000 - Date.now()));
      }
    })();

    await sleep(SECONDS * 1_000);
    mkdirSync(DOCS, { recursive: true });
    const credentials = { httpCredentials: { username: 'admin', password: TOKEN } };

    const wide = await browser.newPage({ viewport: { width: 1280, height: 800 }, ...credentials });
    await wide.goto(`${baseUrl}/dashboard`);
    await wide.locator('#status[data-state="live"]').waitFor();
    await sleep(2_500);
    await wide.screenshot({ path: path.join(DOCS, 'dashboard.png'), fullPage: true });

    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 }, ...credentials });
    await narrow.goto(`${baseUrl}/dashboard`);
    await narrow.locator('#status[data-state="live"]').waitFor();
    await sleep(2_500);
    await narrow.screenshot({ path: path.join(DOCS, 'dashboard-narrow.png'), fullPage: true });

    const board = await browser.newPage({ viewport: { width: 1280, height: 800 }, ...credentials });
    // Completed jobs: a failed job's card shows a stack trace, with this machine's paths in it.
    await board.goto(`${baseUrl}/admin/queues/queue/summarize?status=completed`);
    await board.getByText('Added at', { exact: false }).first().waitFor({ timeout: 30_000 });
    await sleep(1_000);
    await board.screenshot({ path: path.join(DOCS, 'admin-queues.png') });

    running = false;
    await traffic;
    console.log(
      `saved docs/dashboard.png, docs/dashboard-narrow.png and docs/admin-queues.png (${articles} inputs)`,
    );
  } catch (error) {
    if (!service.running) {
      console.error(
        `the service exited: ${JSON.stringify(await service.exited)}\n${service.stderr.slice(-4_000)}`,
      );
      console.error(service.stdoutLines.slice(-20).join('\n'));
    }
    throw error;
  } finally {
    running = false;
    await browser.close();
    await service.stop();
    await ai.stop();
    await deleteKeys(redis, `${prefix}*`);
    redis.disconnect();
  }
}

function usage(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

async function waitUntilUp(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${baseUrl}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(200);
  }
  throw new Error('the service did not start within 30 s');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
