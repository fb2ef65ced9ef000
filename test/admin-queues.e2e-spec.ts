import { getQueueToken } from '@nestjs/bullmq';
import { type Queue, UnrecoverableError } from 'bullmq';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../src/ai/summarizer';
import { SUMMARIZE_QUEUE } from '../src/jobs/queue.constants';
import { launchChromium } from './support/browser';
import { ScriptedSummarizer } from './support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-environment';

const TOKEN = 'test-admin-token-4f1c9a7e';
const BEARER = { authorization: `Bearer ${TOKEN}` };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const BOARD_API = '/admin/queues/api/queues/summarize';

describe('operator pages with ADMIN_TOKEN set: queue dashboard (bull-board) and live analytics', () => {
  const summarizer = new ScriptedSummarizer();
  let api: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [api, browser] = await Promise.all([
      startTestApp({
        env: { ADMIN_TOKEN: TOKEN },
        override: (b) => b.overrideProvider(SUMMARIZER).useValue(summarizer),
      }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    summarizer.release();
    await browser?.close();
    await api?.close();
    if (api) await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  const request = (path: string, init: RequestInit = {}) => fetch(`${api.baseUrl}${path}`, init);

  async function failedJob(input: string): Promise<string> {
    summarizer.thenRun(() => Promise.reject(new UnrecoverableError('refused by the scripted model')));
    const { body } = await api.post('/api/submit', { input });
    expect(await waitForJob(api, body.job_id)).toMatchObject({ status: 'failed' });
    return body.job_id;
  }

  async function completedJob(input: string): Promise<string> {
    const { body } = await api.post('/api/submit', { input });
    expect(await waitForJob(api, body.job_id)).toMatchObject({ status: 'completed' });
    return body.job_id;
  }

  it('answers 401 with a Basic challenge to requests without the token, or with a wrong one', async () => {
    const wrong = [
      {},
      { authorization: 'Bearer not-the-token-at-all' },
      { authorization: basic('admin', 'not-the-token-at-all') },
      { authorization: basic(TOKEN, '') },
    ];
    const boardPaths = ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/images/logo.svg'];
    // A path under the board that does not exist is no different without the token.
    for (const path of [...boardPaths, '/admin/queues/no/such/page']) {
      for (const headers of wrong) {
        const response = await request(path, { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe(
          'Basic realm="SmartCache admin", charset="UTF-8"',
        );
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await response.json()).toMatchObject({
          type: 'about:blank',
          title: 'Unauthorized',
          status: 401,
        });
      }
    }
    for (const path of ['/dashboard', '/dashboard/events']) {
      for (const headers of wrong) {
        const response = await request(path, { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="SmartCache admin"/);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await response.json()).toMatchObject({ status: 401, detail: expect.stringMatching(/token/) });
      }
    }
    // The API itself stays open.
    expect((await request('/api/analytics')).status).toBe(200);
  });

  it('serves both pages to Bearer and to Basic (any user name, the token as password)', async () => {
    for (const headers of [BEARER, { authorization: basic('anyone', TOKEN) }]) {
      expect((await request('/admin/queues', { headers })).status).toBe(200);
      expect((await request('/admin/queues/', { headers })).status).toBe(200);
      expect((await request('/admin/queues/no/such/page', { headers })).status).toBe(404);
      expect((await request('/dashboard', { headers })).status).toBe(200);
    }
    // bull-board's page links a stylesheet on Google Fonts; the service serves it without (offline, no CDN).
    const board = await (await request('/admin/queues', { headers: BEARER })).text();
    expect(board).toContain('static/js/');
    expect(board).not.toMatch(/(href|src)=["']?(https?:)?\/\//);
  });

  /** Opens `path` in a fresh browser context; collects every URL the page requests. */
  async function open(path: string, options: BrowserContextOptions): Promise<{ page: Page; urls: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
    const page = await context.newPage();
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    const response = await page.goto(`${api.baseUrl}${path}`);
    expect(response?.status()).toBe(200);
    return { page, urls };
  }

  it('runs the live analytics page in the browser with Basic credentials (the login prompt) and with Bearer', async () => {
    await completedJob('A page viewer asks. The page answers. Numbers agree.');
    const expected = (await api.get('/api/analytics')).body.total_requests;
    for (const options of [
      { httpCredentials: { username: 'ops', password: TOKEN } },
      { extraHTTPHeaders: BEARER },
    ]) {
      const { page } = await open('/dashboard', options);
      await page.locator('#status[data-state="live"]').waitFor({ timeout: 15_000 });
      await waitFor(
        async () =>
          Number(await page.locator('[data-metric="total_requests"]').textContent()) === expected
            ? true
            : undefined,
        { what: 'the page to show the requests' },
      );
      await page.context().close();
    }
  });

  it('lists the summarize queue in the browser, with every asset served by the service', async () => {
    const jobId = await completedJob('Listed on the board. It completed. Nothing else.');
    const { page, urls } = await open('/admin/queues', {
      httpCredentials: { username: 'ops', password: TOKEN },
    });
    await page.getByRole('link', { name: 'summarize' }).first().waitFor({ timeout: 20_000 });

    await page.goto(`${api.baseUrl}/admin/queues/queue/summarize?status=completed`);
    await page.getByText(jobId).first().waitFor({ timeout: 20_000 });
    // bull-board's page links Google Fonts; the service strips that link: nothing is fetched from elsewhere.
    for (const url of urls) expect(url.startsWith(`${api.baseUrl}/`)).toBe(true);
    expect(urls.some((url) => url.includes('/admin/queues/static/js/'))).toBe(true);
    await page.context().close();
  });

  it("retries a failed job and removes a job through bull-board's HTTP API", async () => {
    const failed = await failedJob('Fails first. Then retried from the board. Then it works.');
    const retried = await request(`${BOARD_API}/${failed}/retry`, { method: 'PUT', headers: BEARER });
    expect(retried.status).toBe(204);
    expect(await waitForJob(api, failed, ['completed'])).toMatchObject({ status: 'completed', attempts: 2 });

    const done = await completedJob('Completed, then removed by an operator. Gone.');
    const cleaned = await request(`${BOARD_API}/${done}/clean`, { method: 'PUT', headers: BEARER });
    expect(cleaned.status).toBe(204);
    expect((await api.get(`/api/status/${done}`)).status).toBe(404);

    // Not without the token.
    const other = await completedJob('Stays put. No token, no removal. Fine.');
    expect((await request(`${BOARD_API}/${other}/clean`, { method: 'PUT' })).status).toBe(401);
    expect((await api.get(`/api/status/${other}`)).status).toBe(200);
  });

  it('reports the queue as rate limited only while jobs are really held back', async () => {
    const queue = api.app.get<Queue>(getQueueToken(SUMMARIZE_QUEUE));
    const client = await queue.backend.client;
    const activeRateLimitTtl = async () => {
      const response = await request('/admin/queues/api/queues', { headers: BEARER });
      return ((await response.json()) as { queues: Array<{ activeRateLimitTtl: number }> }).queues[0]
        .activeRateLimitTtl;
    };
    try {
      // What every job start leaves behind with no AI_MAX_RPS: a count of starts far below the workers' maximum.
      await client.set(queue.keys.limiter, 1, { PX: 60_000 });
      expect(await activeRateLimitTtl()).toBe(0);
      // What an AI 429 does: the whole queue waits.
      await queue.rateLimit(60_000);
      expect(await activeRateLimitTtl()).toBeGreaterThan(50_000);
    } finally {
      await queue.removeRateLimitKey();
    }
  });

  it("retries and removes jobs with the board's buttons in the browser", async () => {
    const failed = await failedJob('Retried by a click. The scripted model accepts it then.');
    const { page } = await open(`/admin/queues/queue/summarize?status=failed`, {
      httpCredentials: { username: 'ops', password: TOKEN },
    });
    await clickJobAction(page, failed, 'lucide-refresh-cw');
    expect(await waitForJob(api, failed, ['completed'])).toMatchObject({ status: 'completed' });

    const done = await completedJob('Removed by a click. It was completed before.');
    await page.goto(`${api.baseUrl}/admin/queues/queue/summarize?status=completed`);
    await clickJobAction(page, done, 'lucide-trash-2');
    await waitFor(async () => ((await api.get(`/api/status/${done}`)).status === 404 ? true : undefined), {
      what: 'the job to be removed',
    });
    await page.context().close();
  });
});

/** Clicks the action button (by its lucide icon) on the card of job `jobId`, then confirms. */
async function clickJobAction(page: Page, jobId: string, icon: string): Promise<void> {
  const card = page
    .getByText(jobId, { exact: true })
    .first()
    .locator(`xpath=ancestor::*[.//button//*[contains(@class,"${icon}")]][1]`);
  await card.locator(`button:has(svg.${icon})`).first().click({ timeout: 20_000 });
  // The board asks before every job action (its "confirm" setting is on by default).
  await page.getByRole('button', { name: 'Confirm' }).click({ timeout: 10_000 });
}
