import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SUMMARIZER } from '../../src/ai/summarizer';
import { articleHtml, startServer, type LocalServer } from '../content/local-server';
import { TestApiKeys } from '../support/api-keys';
import { ScriptedSummarizer } from '../support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

type Key = Awaited<ReturnType<TestApiKeys['create']>>;

describe('private cache scopes: no hit, join or status across scopes, either way (two API processes)', () => {
  const prefix = uniquePrefix();
  const summarizer = new ScriptedSummarizer();
  const keys = new TestApiKeys(prefix);
  let site: LocalServer;
  let a: TestApp;
  let b: TestApp;
  let alice: Key; // private
  let bob: Key; // private too: a scope of its own
  let shared: Key;
  let shared2: Key;

  beforeAll(async () => {
    site = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      // Two addresses serve the same article: the worker's content-level cache joins them.
      res.end(articleHtml('Harbor town votes to rebuild its old pier', 8));
      void req;
    });
    const env = { REDIS_KEY_PREFIX: prefix, API_KEYS_REQUIRED: 'true', FETCH_ALLOWED_HOSTS: site.hostPort };
    a = await startTestApp({
      env,
      override: (builder) => builder.overrideProvider(SUMMARIZER).useValue(summarizer),
    });
    b = await startTestApp({
      env: { ...env, PROCESS_ROLE: 'api' },
      override: (builder) => builder.overrideProvider(SUMMARIZER).useValue(new ScriptedSummarizer()),
    });
    alice = await keys.create({ cache: 'private', name: 'alice' });
    bob = await keys.create({ cache: 'private', name: 'bob' });
    shared = await keys.create({ name: 'shared' });
    shared2 = await keys.create({ name: 'shared too' });
  });
  afterAll(async () => {
    summarizer.release();
    await Promise.all([a.close(), b.close()]);
    await site.close();
    keys.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  const submit = (app: TestApp, key: Key, input: string) => app.post('/api/submit', { input }, key.auth);
  const statusOf = (app: TestApp, key: Key, jobId: string) => app.get(`/api/status/${jobId}`, key.auth);
  const completed = (key: Key, jobId: string) =>
    waitFor(async () => ((await statusOf(a, key, jobId)).body.status === 'completed' ? true : undefined), {
      what: `job ${jobId}`,
    });

  it('gives each private key its own jobs and cache, and keeps the shared scope shared', async () => {
    const input = 'The same words from four clients. Two are private. Two share the common cache.';
    summarizer.hold();
    const calls = summarizer.calls;
    const aliceJob = await submit(a, alice, input);
    const sharedJob = await submit(b, shared, input);
    const bobJob = await submit(a, bob, input);
    // Nobody joins another scope's running job…
    expect([aliceJob.body.cache, sharedJob.body.cache, bobJob.body.cache]).toEqual(['miss', 'miss', 'miss']);
    expect(new Set([aliceJob.body.job_id, sharedJob.body.job_id, bobJob.body.job_id]).size).toBe(3);
    // …but within a scope, joining works as before.
    expect((await submit(b, alice, input)).body).toMatchObject({
      cache: 'deduplicated',
      job_id: aliceJob.body.job_id,
    });
    expect((await submit(a, shared2, input)).body).toMatchObject({
      cache: 'deduplicated',
      job_id: sharedJob.body.job_id,
    });

    // Status: a job is visible in its own scope only, both ways, on both processes (404 as for an unknown id).
    for (const app of [a, b]) {
      expect((await statusOf(app, shared, aliceJob.body.job_id)).status).toBe(404);
      expect((await statusOf(app, bob, aliceJob.body.job_id)).status).toBe(404);
      expect((await statusOf(app, alice, sharedJob.body.job_id)).status).toBe(404);
      expect((await statusOf(app, alice, bobJob.body.job_id)).status).toBe(404);
      expect((await statusOf(app, alice, aliceJob.body.job_id)).status).toBe(200);
      expect((await statusOf(app, shared2, sharedJob.body.job_id)).status).toBe(200);
    }

    summarizer.release();
    await completed(alice, aliceJob.body.job_id);
    await completed(shared, sharedJob.body.job_id);
    await completed(bob, bobJob.body.job_id);
    expect(summarizer.calls - calls).toBe(3);

    // Each scope hits its own entry; a new private key hits none of them.
    for (const [app, key] of [
      [b, alice],
      [a, bob],
      [b, shared],
      [a, shared2],
    ] as const)
      expect((await submit(app, key, input)).body.cache).toBe('hit');
    const carol = await keys.create({ cache: 'private', name: 'carol' });
    const carolJob = await submit(b, carol, input);
    expect(carolJob.body.cache).toBe('miss');
    await completed(carol, carolJob.body.job_id);
    expect(summarizer.calls - calls).toBe(4);
  });

  it('scopes the worker’s content-level cache: a private URL never reuses a summary made for another scope', async () => {
    const calls = summarizer.calls;
    const run = async (key: Key, path: string) => {
      const answer = await submit(a, key, site.url(path));
      expect(answer.body.cache).toBe('miss');
      await completed(key, answer.body.job_id);
      return summarizer.calls - calls;
    };
    expect(await run(shared, '/news/pier')).toBe(1);
    // Same article at another address: the shared scope reuses the article's summary…
    expect(await run(shared2, '/mirror/pier')).toBe(1);
    // …a private key summarizes it afresh, once per private scope, and then reuses its own.
    expect(await run(alice, '/mirror/pier')).toBe(2);
    expect(await run(alice, '/other/pier')).toBe(2);
    expect(await run(bob, '/news/pier')).toBe(3);
  });

  it('keeps live updates and batches to the scope: SSE, WebSocket subscriptions and batch items', async () => {
    summarizer.hold();
    const input = 'Live updates stay in their scope. Another key cannot follow this job.';
    const aliceJob = (await submit(a, alice, input)).body.job_id as string;
    const events = (key: Key) =>
      fetch(`${b.baseUrl}/api/status/${aliceJob}/events`, {
        headers: key.auth,
        signal: AbortSignal.timeout(5_000),
      });
    for (const other of [shared, bob]) expect((await events(other)).status).toBe(404);
    const own = await events(alice);
    expect(own.status).toBe(200);
    await own.body?.cancel();

    // The WebSocket: no key, no socket; a subscription sees the caller's scope only.
    const refused = await new Promise<number>((resolve) => {
      const client = new WebSocket(`${b.baseUrl.replace('http', 'ws')}/api/ws`);
      client.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      client.on('open', () => resolve(101));
    });
    expect(refused).toBe(401);
    const firstFrame = async (key: Key): Promise<{ type: string; message?: string }> => {
      const client = new WebSocket(`${b.baseUrl.replace('http', 'ws')}/api/ws`, { headers: key.auth });
      await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
      client.send(JSON.stringify({ type: 'subscribe', job_id: aliceJob }));
      const frame = await new Promise<string>((resolve) =>
        client.once('message', (data: Buffer) => resolve(data.toString('utf8'))),
      );
      client.close();
      return JSON.parse(frame) as { type: string; message?: string };
    };
    expect(await firstFrame(shared)).toMatchObject({ type: 'error', message: `unknown job id ${aliceJob}` });
    expect(await firstFrame(bob)).toMatchObject({ type: 'error', message: `unknown job id ${aliceJob}` });
    expect(await firstFrame(alice)).toMatchObject({ type: 'progress' });

    // A batch item is what a single submit of the same key answers: alice joins her own job, shared makes its own.
    const [aliceBatch, sharedBatch] = await Promise.all(
      [alice, shared].map((key) => b.post('/api/submit/batch', { inputs: [input] }, key.auth)),
    );
    expect(aliceBatch.body.results[0]).toMatchObject({ cache: 'deduplicated', job_id: aliceJob });
    expect(sharedBatch.body.results[0].job_id).not.toBe(aliceJob);
    summarizer.release();
    await completed(alice, aliceJob);
  });
});
