import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiPermanentError } from '../../src/ai/ai-errors';
import { SUMMARIZER, type SummarizeRequest, type Summary } from '../../src/ai/summarizer';
import { SUMMARIZE_QUEUE } from '../../src/jobs/queue.constants';
import { articleHtml, startServer, type LocalServer } from '../content/local-server';
import { TestDatabase } from '../support/postgres';
import { ScriptedSummarizer } from '../support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, waitForJob, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-environment';

/** Fails for good on inputs that say FAIL, so the history holds failed jobs too. */
class MarkedFailureSummarizer extends ScriptedSummarizer {
  override async summarize(request: SummarizeRequest): Promise<Summary> {
    if (request.text.includes('FAIL')) {
      this.requests.push(request);
      throw new AiPermanentError('the model refused this input', {
        provider: 'local',
        reason: 'safety_block',
      });
    }
    return super.summarize(request);
  }
}

function site(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://origin').pathname;
  if (path.startsWith('/article/')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(articleHtml(`Article ${path.slice(9)}`, 6));
    return;
  }
  res.writeHead(404, { 'content-type': 'text/html' });
  res.end('<h1>Not found</h1>');
}

interface Submitted {
  readonly id: string;
  readonly status: 'completed' | 'failed';
  readonly inputType: 'text' | 'url';
  readonly createdAt: string;
}

/** The inputs, in submission order: text and URLs, some failing. */
const PLAN: Array<{ input: (origin: LocalServer) => string; status: 'completed' | 'failed' }> = [
  { input: () => 'First text. It is about harbours.', status: 'completed' },
  { input: (o) => o.url('/article/1'), status: 'completed' },
  { input: () => 'Second text. FAIL on purpose.', status: 'failed' },
  { input: () => 'Third text. It is about ferries.', status: 'completed' },
  { input: (o) => o.url('/gone'), status: 'failed' },
  { input: () => 'Fourth text. It is about islands.', status: 'completed' },
  { input: (o) => o.url('/article/2'), status: 'completed' },
  { input: () => 'Fifth text. FAIL again.', status: 'failed' },
  { input: () => 'Sixth text. It is about weather.', status: 'completed' },
  { input: (o) => o.url('/article/3'), status: 'completed' },
  { input: () => 'Seventh text. It is about budgets.', status: 'completed' },
  { input: () => 'Eighth text. It is about terminals.', status: 'completed' },
];

describe('job history in PostgreSQL: GET /api/jobs and the status fallback (real PostgreSQL, Redis and workers)', () => {
  let db: TestDatabase;
  let origin: LocalServer;
  let api: TestApp;
  const submitted: Submitted[] = [];
  /** Every job's GET /api/status answer while BullMQ still held it. */
  const statusBefore = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    db = await TestDatabase.create();
    origin = await startServer(site);
    api = await startTestApp({
      env: { DATABASE_URL: db.url, FETCH_ALLOWED_HOSTS: origin.hostPort, JOB_ATTEMPTS: '1' },
      override: (b) => b.overrideProvider(SUMMARIZER).useValue(new MarkedFailureSummarizer()),
    });
    // One at a time, so every job has its own created_at and the newest-first order is known.
    for (const { input, status } of PLAN) {
      const answer = await api.post('/api/submit', { input: input(origin) });
      expect(answer.status).toBe(202);
      const done = await waitForJob(api, answer.body.job_id);
      expect(done.status).toBe(status);
      statusBefore.set(done.job_id, done);
      submitted.push({ id: done.job_id, status, inputType: done.input_type, createdAt: done.created_at });
    }
    await waitFor(async () => ((await db.count('job_history')) === PLAN.length ? true : undefined), {
      what: 'every job in job_history',
    });
  });

  afterAll(async () => {
    await api?.close();
    await origin?.close();
    await db?.drop();
    if (api) await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  const newestFirst = (filter: (job: Submitted) => boolean = () => true) =>
    [...submitted]
      .reverse()
      .filter(filter)
      .map(({ id }) => id);

  /** Follows next_cursor from the first page to the last; returns the ids in order and the page sizes. */
  async function walk(query: string): Promise<{ ids: string[]; pages: number[] }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const { status, body } = await api.get(
        `/api/jobs?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(status).toBe(200);
      ids.push(...body.items.map((item: { job_id: string }) => item.job_id));
      pages.push(body.items.length);
      cursor = body.next_cursor;
      if (cursor === null) return { ids, pages };
    }
    throw new Error('more than 50 pages');
  }

  it('records every finished job as GET /api/status showed it', async () => {
    const { body } = await api.get('/api/jobs?limit=100');
    expect(body.items).toHaveLength(PLAN.length);
    for (const item of body.items) {
      const before = statusBefore.get(item.job_id)!;
      expect(Object.keys(item).sort()).toEqual(Object.keys(before).sort());
      // The row is written as the job completes, a few ms before BullMQ stamps finishedOn.
      expect({ ...item, finished_at: 0, processing_time_ms: 0 }).toEqual({
        ...before,
        finished_at: 0,
        processing_time_ms: 0,
      });
      expect(Math.abs(Date.parse(item.finished_at) - Date.parse(before.finished_at as string))).toBeLessThan(
        1_000,
      );
    }
  });

  it('answers a repeat from the Redis cache, saying so', async () => {
    const answer = await api.post('/api/submit', { input: 'First text. It is about harbours.' });
    expect(answer).toMatchObject({ status: 200, body: { cache: 'hit', source: 'cache' } });
  });

  it('pages newest first by cursor, and next_cursor is null on the last page', async () => {
    const { ids, pages } = await walk('limit=5');
    expect(pages).toEqual([5, 5, 2]);
    expect(ids).toEqual(newestFirst());
  });

  it('ends with next_cursor null when the last page is exactly full', async () => {
    const { pages } = await walk('limit=4');
    expect(pages).toEqual([4, 4, 4]);
  });

  it.each([
    ['status=failed&limit=1', (job: Submitted) => job.status === 'failed'],
    ['status=completed&limit=3', (job: Submitted) => job.status === 'completed'],
    ['input_type=url&limit=2', (job: Submitted) => job.inputType === 'url'],
    [
      'status=completed&input_type=url&limit=1',
      (j: Submitted) => j.status === 'completed' && j.inputType === 'url',
    ],
    ['input_type=text&status=failed', (j: Submitted) => j.status === 'failed' && j.inputType === 'text'],
  ])('filters %s across pages', async (query, filter) => {
    const { ids } = await walk(query);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual(newestFirst(filter));
  });

  it('filters by created_at: since inclusive, until exclusive', async () => {
    const since = submitted[3].createdAt;
    const until = submitted[9].createdAt;
    const { ids } = await walk(`since=${since}&until=${until}&limit=2`);
    expect(ids).toEqual(
      submitted
        .slice(3, 9)
        .reverse()
        .map(({ id }) => id),
    );
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=5.5', 'limit'],
    ['status=running', 'status'],
    ['input_type=pdf', 'input_type'],
    ['since=yesterday', 'since'],
    ['until=2026-02-30', 'until'],
    ['since=2026-01-02&until=2026-01-01', 'since'],
    ['state=failed', 'state'],
    ['status=failed&status=completed', 'status'],
    ['cursor=', 'cursor'],
    ['cursor=abc.def', 'cursor'],
  ])('answers 400 naming the parameter for %s', async (query, parameter) => {
    const { status, body } = await api.get(`/api/jobs?${query}`);
    expect(status).toBe(400);
    expect(String(body.detail)).toContain(parameter);
  });

  it('refuses a forged, altered or re-targeted cursor with 400', async () => {
    const { body } = await api.get('/api/jobs?limit=2');
    const cursor: string = body.next_cursor;
    const [payload, signature] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
    // Move the position (e.g. to skip rows), keeping the signature.
    const moved = Buffer.from(JSON.stringify({ ...decoded, t: decoded.t + 1 })).toString('base64url');
    const forged = [
      `${moved}.${signature}`,
      `${payload}.${signature.slice(0, -2)}AA`,
      `${payload}.`,
      cursor.slice(1),
      Buffer.from(JSON.stringify({ t: Date.now(), i: randomUUID(), f: decoded.f })).toString('base64url'),
    ];
    for (const bad of forged) {
      const answer = await api.get(`/api/jobs?limit=2&cursor=${encodeURIComponent(bad)}`);
      expect(answer.status, bad).toBe(400);
      expect(String(answer.body.detail)).toContain('cursor');
    }
    // A genuine cursor with other filters than it was made for.
    const retargeted = await api.get(`/api/jobs?limit=2&status=failed&cursor=${encodeURIComponent(cursor)}`);
    expect(retargeted.status).toBe(400);
    // The genuine cursor with its own filters still works.
    expect((await api.get(`/api/jobs?limit=2&cursor=${encodeURIComponent(cursor)}`)).status).toBe(200);
  });

  it('answers GET /api/status for jobs Redis has forgotten, from the history', async () => {
    const queue = api.app.get<Queue>(getQueueToken(SUMMARIZE_QUEUE));
    const completed = submitted.find((job) => job.status === 'completed' && job.inputType === 'url')!;
    const failed = submitted.find((job) => job.status === 'failed')!;
    for (const job of [completed, failed]) {
      await queue.remove(job.id);
      expect(await queue.getJob(job.id)).toBeUndefined();
      const { status, body } = await api.get(`/api/status/${job.id}`);
      expect(status).toBe(200);
      const before = statusBefore.get(job.id)!;
      expect({ ...body, finished_at: 0, processing_time_ms: 0 }).toEqual({
        ...before,
        finished_at: 0,
        processing_time_ms: 0,
      });
    }
    expect((await api.get(`/api/status/${randomUUID()}`)).status).toBe(404);
    expect((await api.get('/api/status/not-a-uuid')).status).toBe(404);
  });
});
