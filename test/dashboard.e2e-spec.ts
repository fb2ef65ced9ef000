import { UnrecoverableError } from 'bullmq';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../src/ai/summarizer';
import { DashboardEventsService } from '../src/dashboard/dashboard-events.service';
import { launchChromium } from './support/browser';
import { DisposableRedisServer } from './support/redis-server';
import { SCRIPTED_USAGE, ScriptedSummarizer } from './support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-environment';

/** Every `data-metric` element of the page: field name → its text. */
async function pageMetrics(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-metric]', (elements) =>
    Object.fromEntries(elements.map((element) => [element.getAttribute('data-metric'), element.textContent])),
  );
}

/** The numeric fields of `GET /api/analytics` (summaries_by_model is a table, not a figure). */
async function apiFigures(api: TestApp): Promise<Record<string, number>> {
  const { status, body } = await api.get('/api/analytics');
  expect(status).toBe(200);
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number',
    ),
  );
}

/** The page's figures as numbers, once they equal the API's (read again each time: they converge once quiet). */
async function waitForPageToMatchApi(page: Page, api: TestApp): Promise<Record<string, number>> {
  return waitFor(
    async () => {
      const expected = await apiFigures(api);
      const shown = await pageMetrics(page);
      const parsed = Object.fromEntries(Object.entries(shown).map(([name, text]) => [name, Number(text)]));
      return JSON.stringify(sorted(parsed)) === JSON.stringify(sorted(expected)) ? expected : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 250, what: 'the page to show the figures of /api/analytics' },
  );
}

const sorted = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).sort());

async function submit(api: TestApp, input: string): Promise<{ job_id?: string; cache: string }> {
  const { status, body } = await api.post('/api/submit', { input });
  expect([200, 202]).toContain(status);
  return body;
}

describe('live analytics page (/dashboard) in Chromium, ADMIN_TOKEN unset', () => {
  const summarizer = new ScriptedSummarizer();
  let api: TestApp;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    [api, browser] = await Promise.all([
      startTestApp({ override: (b) => b.overrideProvider(SUMMARIZER).useValue(summarizer) }),
      launchChromium(),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('request', (request) => requested.push(request.url()));
  });
  afterAll(async () => {
    summarizer.release();
    await browser?.close();
    await api?.close();
    if (api) await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  it('serves one self-contained page that goes live, and no request leaves the service', async () => {
    const response = await page.goto(`${api.baseUrl}/dashboard`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    // The browser itself refuses anything from another origin.
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 15_000 });

    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/Live analytics/);
    for (const chart of ['Requests per second', 'Hit rate', 'Queue depth']) {
      expect(await page.getByRole('heading', { level: 3, name: chart }).count()).toBe(1);
    }
    expect(requested.length).toBeGreaterThanOrEqual(2);
    for (const url of requested) expect(url.startsWith(`${api.baseUrl}/`)).toBe(true);
    expect(requested).toContain(`${api.baseUrl}/dashboard/events`);
  });

  it('shows exactly the figures of /api/analytics, one element per numeric field, once traffic is over', async () => {
    summarizer.thenRun(() => Promise.reject(new UnrecoverableError('the model refused this input')));
    const refused = await submit(api, 'Refused input. The model will not summarize it. It fails.');
    expect(await waitForJob(api, refused.job_id!)).toMatchObject({ status: 'failed' });

    const texts = ['First text. It has two sentences.', 'Second text. Also two.', 'Third text. Two again.'];
    const jobs = await Promise.all(texts.map((text) => submit(api, text)));
    for (const job of jobs) expect(await waitForJob(api, job.job_id!)).toMatchObject({ status: 'completed' });
    expect((await submit(api, texts[0])).cache).toBe('hit');
    expect((await submit(api, texts[1])).cache).toBe('hit');

    summarizer.hold();
    const held = await submit(api, 'Held text. Someone else asks for it too.');
    expect((await submit(api, 'Held text. Someone else asks for it too.')).cache).toBe('deduplicated');
    summarizer.release();
    await waitForJob(api, held.job_id!);

    const expected = await waitFor(
      async () => {
        const figures = await apiFigures(api);
        return figures.jobs_completed === 4 && figures.tokens_saved === 3 * SCRIPTED_USAGE.totalTokens
          ? figures
          : undefined;
      },
      { what: 'the analytics to count every job' },
    );
    expect(expected).toMatchObject({
      total_requests: 8,
      cache_hits: 2,
      cache_misses: 5,
      deduplicated: 1,
      hit_rate: 0.25,
      queue_size: 0,
      jobs_active: 0,
      jobs_failed: 1,
      failure_rate: 0.2,
      tokens_used: 4 * SCRIPTED_USAGE.totalTokens,
    });

    const shown = await waitForPageToMatchApi(page, api);
    expect(shown).toEqual(expected);
    expect(Object.keys(await pageMetrics(page)).sort()).toEqual(Object.keys(expected).sort());
    // The percentages are the ratios, formatted.
    await expect(page.locator('#hit-rate-percent').textContent()).resolves.toBe('25%');
    await expect(page.locator('#failure-rate-percent').textContent()).resolves.toBe('20%');
    await expect(page.locator('#models tbody').textContent()).resolves.toContain('local/scripted');
  });

  it('updates the figures and the charts without a reload as submissions arrive', async () => {
    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
    const before = Number((await pageMetrics(page)).total_requests);
    const jobs = await Promise.all(
      ['Later text one. More words.', 'Later text two. More words.', 'Later text three. More words.'].map(
        (text) => submit(api, text),
      ),
    );
    for (const job of jobs) await waitForJob(api, job.job_id!);

    const shown = await waitForPageToMatchApi(page, api);
    expect(shown.total_requests).toBe(before + 3);
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    // The requests-per-second chart drew the burst: its caption reports a peak above 0.
    const caption = await page.locator('#chart-rps figcaption').textContent();
    expect(Number(/peak ([\d.]+)/.exec(caption ?? '')?.[1])).toBeGreaterThan(0);
    expect(await page.locator('#chart-rps svg path').count()).toBeGreaterThan(0);
  });

  it('streams a history event, then a sample about once a second, and forgets a client that leaves', async () => {
    const events = api.app.get(DashboardEventsService);
    const abort = new AbortController();
    const response = await fetch(`${api.baseUrl}/dashboard/events`, { signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = await readFrames(response, (seen) => seen.filter((f) => f.event === 'sample').length >= 2);

    expect(frames[0]).toMatchObject({ event: 'history' });
    const history = JSON.parse(frames[0].data!);
    expect(history).toMatchObject({ interval_ms: 1_000, window_ms: 900_000, stale: null });
    expect(history.samples.length).toBeGreaterThan(0);
    expect(Object.keys(history.samples[0]).sort()).toEqual(
      ['cache_hits', 'hit_rate', 'queue_size', 'requests', 'requests_per_second', 't'].sort(),
    );
    expect(history.analytics).toMatchObject({ total_requests: expect.any(Number) });

    const samples = frames.filter((f) => f.event === 'sample').map((f) => JSON.parse(f.data!));
    expect(samples[0]).toMatchObject({
      sample: { t: expect.any(Number) },
      analytics: { hit_rate: expect.any(Number) },
    });
    // One read per interval: never faster than the sampler's period.
    expect(samples[1].sample.t - samples[0].sample.t).toBeGreaterThanOrEqual(900);

    expect(events.openStreams).toBeGreaterThanOrEqual(1);
    const openWithPage = events.openStreams;
    abort.abort();
    await waitFor(async () => (events.openStreams === openWithPage - 1 ? true : undefined), {
      what: 'the server to drop the closed stream',
    });
  });

  it('refuses the queue dashboard without ADMIN_TOKEN (401, no login prompt), and the page needs no credentials', async () => {
    for (const path of [
      '/admin/queues',
      '/admin/queues/api/queues',
      '/admin/queues/static/images/logo.svg',
    ]) {
      for (const headers of [{}, { authorization: 'Bearer anything-at-all-here' }]) {
        const response = await fetch(`${api.baseUrl}${path}`, { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBeNull();
        expect(await response.json()).toMatchObject({
          status: 401,
          detail: expect.stringContaining('ADMIN_TOKEN'),
        });
      }
    }
    expect((await fetch(`${api.baseUrl}/dashboard`)).status).toBe(200);
  });
});

describe('live analytics page while Redis is away (a private redis-server the test kills)', () => {
  let redis: DisposableRedisServer;
  let api: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    redis = await DisposableRedisServer.start();
    [api, browser] = await Promise.all([startTestApp({ env: { REDIS_URL: redis.url } }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await redis?.start().catch(() => undefined);
    await api?.close();
    await redis?.dispose();
  });

  it('marks the figures stale, keeps serving, and goes live again by itself when Redis returns', async () => {
    const page = await browser.newPage();
    await page.goto(`${api.baseUrl}/dashboard`);
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 15_000 });

    await redis.kill();
    await page.locator('#status[data-state="stale"]').waitFor({ timeout: 15_000 });
    await expect(page.locator('#stale-banner').textContent()).resolves.toMatch(/Redis is unavailable/);
    // The last figures read stay on the page.
    expect(Number((await pageMetrics(page)).total_requests)).toBe(0);
    expect((await fetch(`${api.baseUrl}/dashboard`)).status).toBe(200);

    await redis.start();
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#stale-banner').isHidden()).toBe(true);
  });
});

describe('live analytics page at shutdown', () => {
  it('ends its event streams, so an open page does not hold the server open', async () => {
    const api = await startTestApp();
    try {
      const response = await fetch(`${api.baseUrl}/dashboard/events`);
      const reading = readFrames(response, () => false);
      await waitFor(async () => (api.app.get(DashboardEventsService).openStreams === 1 ? true : undefined));
      await api.close();
      // The stream ended (the server closed it) rather than hanging until the client gave up.
      const frames = await reading;
      expect(frames[0]).toMatchObject({ event: 'history' });
    } finally {
      await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
    }
  });
});

interface Frame {
  readonly event?: string;
  readonly data?: string;
  readonly comment?: string;
}

/** Reads Server-Sent Events frames until `enough` says so or the stream ends. */
async function readFrames(response: Response, enough: (frames: Frame[]) => boolean): Promise<Frame[]> {
  const frames: Frame[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return frames;
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) !== -1) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const frame: { event?: string; data?: string; comment?: string } = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) frame.comment = line.slice(1).trim();
          else if (line.startsWith('event: ')) frame.event = line.slice(7);
          else if (line.startsWith('data: ')) frame.data = line.slice(6);
        }
        if (frame.event || frame.comment) frames.push(frame);
        if (enough(frames)) return frames;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
