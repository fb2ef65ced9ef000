import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeOpenAiApi } from './fakes/fake-openai-api';
import { freePort } from './support/redis-server';
import { ServiceProcess } from './support/service-process';
import { deleteKeysWithPrefix, waitFor } from './support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from './support/test-environment';

interface Answer {
  readonly status: number;
  // Tests read the fields they check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** How long the fake origin takes to answer: long enough for a follower to connect while the job fetches. */
const SLOW_ORIGIN_MS = 1_500;

function articlePage(path: string): string {
  const paragraph =
    `This page at ${path} explains how the live results of a summarization job reach their followers. ` +
    'Events travel from the worker through Redis to every API process. Each follower hears every stage once. ' +
    'The final event carries the full status of the job, with its summary and tags.';
  return `<!doctype html><html><head><title>Live ${path}</title></head><body><article><h1>Live ${path}</h1>${`<p>${paragraph}</p>`.repeat(3)}</article></body></html>`;
}

/** A Server-Sent Event as a client reads it. */
interface SseEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
}

/**
 * Live results across processes: two API processes and a worker process of the built service, on one Redis. A job
 * submitted through API A is followed on API B (SSE, WebSocket): the events travel through Redis (BullMQ's
 * QueueEvents), not through the process that took the submission.
 */
describe('live results: wait, SSE, WebSocket and batch submit, across API processes', () => {
  const prefix = uniquePrefix();
  const processes: ServiceProcess[] = [];
  let ai: FakeOpenAiApi;
  let origin: Server;
  let originUrl: string;
  let a: string;
  let b: string;

  beforeAll(async () => {
    ai = await new FakeOpenAiApi().start();
    // A page that takes a while to arrive: a follower connects while the job is still fetching, so every later stage
    // it hears travelled from the worker through Redis.
    origin = createServer((request, response) => {
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(articlePage(request.url ?? '/'));
      }, SLOW_ORIGIN_MS);
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const hostPort = `127.0.0.1:${(origin.address() as AddressInfo).port}`;
    originUrl = `http://${hostPort}`;
    const common = {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      AI_PROVIDER: 'openai',
      OPENAI_BASE_URL: ai.url,
      OPENAI_MODEL: 'live-fake',
      FETCH_ALLOWED_HOSTS: hostPort,
      JOB_ATTEMPTS: '1',
      SHUTDOWN_TIMEOUT_MS: '4000',
      LOG_LEVEL: 'warn',
    };
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      processes.push(ServiceProcess.start({ ...common, PROCESS_ROLE: 'api', PORT: String(port) }));
      urls.push(`http://127.0.0.1:${port}`);
    }
    [a, b] = urls;
    processes.push(
      ServiceProcess.start({ ...common, PROCESS_ROLE: 'worker', WORKER_COUNT: '4', LOG_LEVEL: 'info' }),
    );
    for (const url of urls) {
      await waitFor(async () => ((await fetch(`${url}/health`)).ok ? true : undefined), {
        timeoutMs: 30_000,
        what: `${url} to serve`,
      });
    }
    await waitFor(
      async () => (processes[2].logs().some((l) => /worker started/.test(String(l.msg))) ? true : undefined),
      {
        timeoutMs: 30_000,
        what: 'the worker',
      },
    );
  });
  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await ai?.stop();
    origin?.closeAllConnections();
    await new Promise((resolve) => origin?.close(resolve));
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  const post = async (base: string, path: string, body: unknown): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  let n = 0;
  const text = (what: string) =>
    `Live test ${++n} of ${prefix}: ${what}. A second sentence follows. And a third one.`;

  describe('wait', () => {
    it('answers 200 with the result when the job ends within the wait', async () => {
      const answer = await post(a, '/api/submit', { input: text('waited for'), wait: 30 });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        job_id: expect.any(String),
        status: 'completed',
        cache: 'miss',
        summary: expect.any(String),
        tags: expect.any(Array),
        input_type: 'text',
        error: null,
      });
    });

    it('answers the usual 202 when the wait runs out first, and a joiner waiting longer gets the end as deduplicated', async () => {
      ai.enqueue(FakeOpenAiApi.hang(3_000, FakeOpenAiApi.auto()));
      const input = text('slow');
      const started = Date.now();
      const short = await post(a, '/api/submit', { input, wait: 1 });
      expect(short.status).toBe(202);
      expect(short.body).toMatchObject({
        cache: 'miss',
        status: expect.stringMatching(/pending|processing/),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      const joiner = await post(b, '/api/submit', { input, wait: 30 });
      expect(joiner.status).toBe(200);
      expect(joiner.body).toMatchObject({
        job_id: short.body.job_id,
        status: 'completed',
        cache: 'deduplicated',
      });
    });

    it('answers a failed job within the wait with 200 and its reason', async () => {
      ai.enqueue(FakeOpenAiApi.badRequest('this input cannot be summarized'));
      const answer = await post(a, '/api/submit', { input: text('failing'), wait: 30 });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        status: 'failed',
        summary: null,
        error: expect.stringMatching(/rejected/),
      });
    });

    it.each([[-1], [61], ['10'], [null]])('400 naming the field for wait=%j', async (wait) => {
      const answer = await post(a, '/api/submit', { input: text('bad wait'), wait });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        expect.objectContaining({ pointer: '#/wait', detail: expect.stringMatching(/0 to 60/) }),
      ]);
    });
  });

  describe('Server-Sent Events', () => {
    it('streams progress and exactly one final event to a client of the other API process, then ends', async () => {
      const submitted = await post(a, '/api/submit', { input: `${originUrl}/followed-over-sse-${prefix}` });
      const events = await readSse(`${b}/api/status/${submitted.body.job_id}/events`);
      const kinds = events.map((e) => e.event);
      expect(kinds[kinds.length - 1]).toBe('completed');
      expect(kinds.filter((k) => k === 'completed' || k === 'failed')).toHaveLength(1);
      // The stream opened while the page was still on its way: these stages were heard as they happened.
      expect(
        events.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data ?? '{}').stage),
      ).toEqual(expect.arrayContaining(['extracting', 'summarizing']));
      const ids = events.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(new Set(ids).size).toBe(ids.length);
      expect(JSON.parse(events[events.length - 1].data ?? '{}')).toMatchObject({
        job_id: submitted.body.job_id,
        status: 'completed',
        stage: 'done',
        summary: expect.any(String),
      });
    });

    it('sends a finished job its final event at once; Last-Event-ID resumes without repeats', async () => {
      const done = await post(a, '/api/submit', { input: text('already done'), wait: 30 });
      const url = `${b}/api/status/${done.body.job_id}/events`;
      const all = await readSse(url);
      expect(all.map((e) => e.event)).toEqual(['completed']);
      expect(all[0].id).toBe('5');
      expect(await readSse(url, { 'last-event-id': '5' })).toEqual([]);
    });

    it('answers 404 for an unknown or malformed job id', async () => {
      for (const id of ['1b4e28ba-2fa1-11d2-883f-0016d3cca427', 'events']) {
        const response = await fetch(`${b}/api/status/${id}/events`);
        expect(response.status).toBe(404);
        expect(response.headers.get('content-type')).toMatch(/problem\+json/);
      }
    });
  });

  describe('WebSocket', () => {
    it('sends a subscriber on the other API process the job events, and keeps the connection through bad frames', async () => {
      const submitted = await post(a, '/api/submit', { input: `${originUrl}/followed-over-ws-${prefix}` });
      const socket = await openSocket(b);
      try {
        socket.send('not json');
        socket.send(JSON.stringify({ type: 'shout' }));
        socket.send(JSON.stringify({ type: 'subscribe', job_id: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' }));
        socket.send(JSON.stringify({ type: 'subscribe', job_id: submitted.body.job_id }));
        const frames = await socket.until((f) => f.type === 'completed');
        const errors = frames.filter((f) => f.type === 'error');
        expect(errors.map((f) => f.message)).toEqual([
          'the frame is not valid JSON',
          'unknown frame type "shout"; one of subscribe, unsubscribe, submit',
          'unknown job id 1b4e28ba-2fa1-11d2-883f-0016d3cca427',
        ]);
        const events = frames.filter((f) => f.job_id === submitted.body.job_id && f.type !== 'error');
        expect(events.filter((f) => f.type === 'progress').map((f) => f.data.stage)).toEqual(
          expect.arrayContaining(['extracting', 'summarizing']),
        );
        expect(events[events.length - 1]).toMatchObject({
          type: 'completed',
          data: { status: 'completed', stage: 'done' },
        });
        expect(socket.client.readyState).toBe(WebSocket.OPEN);
      } finally {
        socket.client.close();
      }
    });

    it('submits over the socket: the answer, then that job’s events', async () => {
      const socket = await openSocket(a);
      try {
        socket.send(JSON.stringify({ type: 'submit', input: text('submitted over a WebSocket') }));
        const frames = await socket.until((f) => f.type === 'completed');
        expect(frames[0]).toMatchObject({ type: 'submitted', cache: 'miss', job_id: expect.any(String) });
        expect(frames[frames.length - 1]).toMatchObject({ type: 'completed', job_id: frames[0].job_id });
      } finally {
        socket.client.close();
      }
    });
  });

  describe('batch submit', () => {
    it('answers every item in order as a single submit would; equal inputs share one job; bad items fail alone', async () => {
      const same = text('twice in one batch');
      const other = text('once');
      const answer = await post(a, '/api/submit/batch', {
        inputs: [same, '  ', same, 42, other, 'ftp://x.example/'],
      });
      expect(answer.status).toBe(200);
      const [first, blank, again, number, single, ftp] = answer.body.results;
      expect(first).toMatchObject({ cache: 'miss', job_id: expect.any(String) });
      expect(again).toMatchObject({ cache: 'deduplicated', job_id: first.job_id });
      expect(single).toMatchObject({ cache: 'miss' });
      expect(single.job_id).not.toBe(first.job_id);
      expect(blank).toMatchObject({
        status: 'error',
        error: { status: 400, errors: [{ pointer: '#/inputs/1' }] },
      });
      expect(number).toMatchObject({
        status: 'error',
        error: { status: 400, detail: 'input must be a string' },
      });
      expect(ftp).toMatchObject({
        status: 'error',
        error: { status: 400, detail: expect.stringMatching(/http and https/) },
      });
    });

    it.each([
      ['not an array', { inputs: 'text' }],
      ['empty', { inputs: [] }],
      ['missing', {}],
      ['with an unknown field', { inputs: ['a'], extra: true }],
    ])('400 naming the field for a batch %s', async (_case, body) => {
      const answer = await post(a, '/api/submit/batch', body);
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0].pointer).toMatch(/^#\/(inputs|extra)$/);
    });

    it('413 for a batch body over MAX_INPUT_BYTES (the limit of the whole body)', async () => {
      const answer = await post(a, '/api/submit/batch', {
        inputs: ['x'.repeat(600_000), 'y'.repeat(600_000)],
      });
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ status: 413 });
    });

    it('400 for more than BATCH_MAX_INPUTS inputs', async () => {
      const answer = await post(a, '/api/submit/batch', {
        inputs: Array.from({ length: 101 }, (_, i) => `x ${i}`),
      });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        expect.objectContaining({ pointer: '#/inputs', detail: expect.stringMatching(/at most 100/) }),
      ]);
    });
  });

  describe('shutdown', () => {
    it('tells open streams and sockets the server is going away, within SHUTDOWN_TIMEOUT_MS', async () => {
      ai.enqueue(FakeOpenAiApi.hang(20_000, FakeOpenAiApi.auto()));
      const submitted = await post(a, '/api/submit', { input: text('outlives its API process') });
      const api = processes[1];
      const stream = readSse(`${b}/api/status/${submitted.body.job_id}/events`);
      const socket = await openSocket(b);
      socket.send(JSON.stringify({ type: 'subscribe', job_id: submitted.body.job_id }));
      await socket.until((f) => f.type === 'progress');
      const closed = new Promise<number>((resolve) => socket.client.once('close', (code) => resolve(code)));
      const signalled = Date.now();
      api.signal('SIGTERM');
      const [events, code, exit] = await Promise.all([stream, closed, api.exited]);
      expect(events[events.length - 1].event).toBe('server-shutdown');
      expect(code).toBe(1001);
      expect(exit.code).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(4_000 + 2_000);
    });
  });
});

/** Reads a whole event stream (a real fetch client, streaming), until the server ends it. */
async function readSse(url: string, headers: Record<string, string> = {}): Promise<SseEvent[]> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers } });
  if (response.status !== 200) throw new Error(`SSE ${url}: ${response.status}`);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await response.text();
  return text
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => line !== '' && !line.startsWith(':')))
    .filter((lines) => lines.length > 0 && !lines.every((line) => line.startsWith('retry:')))
    .map((lines) =>
      Object.fromEntries(
        lines.map((line) => {
          const at = line.indexOf(':');
          return [line.slice(0, at), line.slice(at + 1).trimStart()];
        }),
      ),
    );
}

/** A real `ws` client, collecting the JSON frames it receives. */
async function openSocket(base: string) {
  const client = new WebSocket(`${base.replace('http', 'ws')}/api/ws`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const frames: any[] = [];
  const waiters: Array<() => void> = [];
  client.on('message', (data) => {
    frames.push(JSON.parse((data as Buffer).toString('utf8')));
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  return {
    client,
    send: (frame: string) => client.send(frame),
    /** Every frame so far, once one matches `done` (20 s at most). */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    until: async (done: (frame: any) => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!frames.some(done)) {
        if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(frames)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return [...frames];
    },
  };
}
