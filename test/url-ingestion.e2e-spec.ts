import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../src/ai/summarizer';
import { articleHtml, startServer, type LocalServer } from './content/local-server';
import { SCRIPTED_USAGE, ScriptedSummarizer } from './support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-environment';

const ARTICLE_TITLE = 'Harbor town votes to rebuild its old pier';

/** The fake origin: an article at two addresses, error pages, a redirect and a PDF. */
function origin(blockedPort: () => number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://origin').pathname;
    const html = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
    };
    switch (path) {
      case '/news/pier':
      case '/mirror/pier':
        return html(200, articleHtml(ARTICLE_TITLE, 8));
      case '/gone':
        return html(404, '<h1>Not found</h1>');
      case '/flaky':
        return html(503, '<h1>Try later</h1>');
      case '/report.pdf':
        res.writeHead(200, { 'content-type': 'application/pdf' });
        return res.end('%PDF-1.7');
      case '/login':
        return html(
          200,
          '<html><body><form><input name="user"><button>Sign in</button></form></body></html>',
        );
      case '/to-private-port':
        res.writeHead(302, { location: `http://127.0.0.1:${blockedPort()}/secret` });
        return res.end();
      default:
        return html(404, 'no such page');
    }
  };
}

describe('URL inputs end to end (fake origin on loopback, real Redis and workers)', () => {
  let site: LocalServer;
  let internal: LocalServer;
  let api: TestApp;
  const summarizer = new ScriptedSummarizer();

  beforeAll(async () => {
    internal = await startServer();
    site = await startServer(origin(() => internal.port));
    api = await startTestApp({
      // Only the fake origin may be fetched although it is on loopback; `internal` stays forbidden.
      env: { FETCH_ALLOWED_HOSTS: site.hostPort, JOB_ATTEMPTS: '2', FETCH_TIMEOUT_MS: '3000' },
      override: (b) => b.overrideProvider(SUMMARIZER).useValue(summarizer),
    });
  });
  afterAll(async () => {
    await api.close();
    await Promise.all([site.close(), internal.close()]);
    await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  it('fetches, extracts and summarizes the article, and records where it came from', async () => {
    const submitted = await api.post('/api/submit', { input: site.url('/news/pier?utm_source=mail#top') });
    expect(submitted).toMatchObject({ status: 202, body: { cache: 'miss', input_type: 'url' } });
    const done = await waitForJob(api, submitted.body.job_id);
    expect(done).toMatchObject({
      status: 'completed',
      input_type: 'url',
      source_url: site.url('/news/pier'),
      final_url: site.url('/news/pier'),
      title: ARTICLE_TITLE,
    });
    expect(Date.parse(done.fetched_at)).not.toBeNaN();
    // The summarizer got the article, not the navigation or the footer.
    const sent = summarizer.requests.at(-1);
    expect(sent?.text).toContain('Paragraph 1 of the article');
    expect(sent?.text).not.toMatch(/About us|Cookie settings/);
    expect(sent?.title).toBe(ARTICLE_TITLE);
  });

  it('serves another spelling of the same URL from the cache', async () => {
    const spelled = site.url('/news/pier').replace('http://127.0.0.1', 'HTTP://127.0.0.1') + '?fbclid=abc';
    const response = await api.post('/api/submit', { input: spelled });
    expect(response).toMatchObject({ status: 200, body: { cache: 'hit', input_type: 'url' } });
  });

  it('shares one summary and one AI call between two URLs serving the same article', async () => {
    const callsBefore = summarizer.calls;
    const submitted = await api.post('/api/submit', { input: site.url('/mirror/pier') });
    expect(submitted.body.cache).toBe('miss');
    const done = await waitForJob(api, submitted.body.job_id);
    expect(done).toMatchObject({ status: 'completed', source_url: site.url('/mirror/pier') });
    expect(summarizer.calls).toBe(callsBefore);
    const first = await api.post('/api/submit', { input: site.url('/news/pier') });
    expect(done.summary).toBe(first.body.summary);
    // Saved: the hit of the other spelling, the content-cache hit in this job, and the hit just now (the worker's
    // counts are written in batches, at most ANALYTICS_FLUSH_MS late).
    const saved = await waitFor(
      async () => {
        const { tokens_saved } = (await api.get('/api/analytics')).body;
        return tokens_saved >= 3 * SCRIPTED_USAGE.totalTokens ? tokens_saved : undefined;
      },
      { timeoutMs: 2_000, what: 'tokens_saved to reach three hits' },
    );
    expect(saved).toBe(3 * SCRIPTED_USAGE.totalTokens);
  });

  it.each([
    ['/gone', /404/],
    ['/report.pdf', /content type application\/pdf/i],
    ['/login', /too little text/i],
  ])('fails %s at once, without retrying, with a reason a user understands', async (path, reason) => {
    const submitted = await api.post('/api/submit', { input: site.url(path) });
    const failed = await waitForJob(api, submitted.body.job_id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toMatch(reason);
    expect(site.hits.filter((hit) => hit.path === path)).toHaveLength(1);
  });

  it('retries a 5xx origin with backoff, then fails with the last cause', async () => {
    const submitted = await api.post('/api/submit', { input: site.url('/flaky') });
    const failed = await waitForJob(api, submitted.body.job_id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 2 });
    expect(failed.error).toMatch(/503/);
    expect(site.hits.filter((hit) => hit.path === '/flaky')).toHaveLength(2);
  });

  it('refuses a redirect from the allowed origin to a port that is not allowed, never reaching it', async () => {
    const submitted = await api.post('/api/submit', { input: site.url('/to-private-port') });
    const failed = await waitForJob(api, submitted.body.job_id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toMatch(/private, local or reserved network address/);
    expect(internal.hits).toHaveLength(0);
    expect(internal.connections()).toBe(0);
  });

  it.each([
    '127.0.0.1',
    '127.1',
    '2130706433',
    '0x7f000001',
    'localhost',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '0.0.0.0',
  ])('blocks %s (loopback spelled another way) without connecting', async (host) => {
    const submitted = await api.post('/api/submit', { input: `http://${host}:${internal.port}/secret` });
    expect(submitted.status).toBe(202);
    const failed = await waitForJob(api, submitted.body.job_id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.error).toMatch(/private, local or reserved network address/);
    expect(internal.connections()).toBe(0);
  });
});
