import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { JobEventsHub } from '../src/live/job-events.hub';
import { startTestApp, waitFor, type TestApp } from './support/test-app';

/**
 * Disconnects clean up at once: a waiting submission, an SSE stream and a WebSocket subscription each hold one
 * follower in the process's event hub while they wait, and none after their client goes away. An API-only process
 * (no worker), so the jobs stay queued and only the disconnects can end the waits.
 */
describe('live followers are dropped when their clients disconnect', () => {
  let api: TestApp;
  let hub: JobEventsHub;

  beforeAll(async () => {
    api = await startTestApp({ env: { PROCESS_ROLE: 'api' } });
    hub = api.app.get(JobEventsHub);
  });
  afterAll(async () => {
    await api?.close();
  });

  const followers = (count: number) =>
    waitFor(() => Promise.resolve(hub.size === count ? true : undefined), { what: `${count} followers` });

  it('a waiting submission whose client goes away', async () => {
    const gone = new AbortController();
    const pending = fetch(`${api.baseUrl}/api/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: `Cleanup wait ${Date.now()}. It never ends here.`, wait: 60 }),
      signal: gone.signal,
    }).catch(() => undefined);
    await followers(1);
    gone.abort();
    await pending;
    await followers(0);
  });

  it('an SSE stream whose client goes away', async () => {
    const queued = await api.post('/api/submit', { input: `Cleanup SSE ${Date.now()}. It never ends here.` });
    const gone = new AbortController();
    const response = await fetch(`${api.baseUrl}/api/status/${queued.body.job_id}/events`, {
      signal: gone.signal,
    });
    expect(response.status).toBe(200);
    await followers(1);
    gone.abort();
    await followers(0);
  });

  it('WebSocket subscriptions: unsubscribe, and a closed socket', async () => {
    const jobs = await Promise.all(
      [1, 2].map((i) =>
        api.post('/api/submit', { input: `Cleanup WS ${i} ${Date.now()}. It never ends here.` }),
      ),
    );
    const client = new WebSocket(`${api.baseUrl.replace('http', 'ws')}/api/ws`);
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    for (const job of jobs) client.send(JSON.stringify({ type: 'subscribe', job_id: job.body.job_id }));
    await followers(2);
    client.send(JSON.stringify({ type: 'unsubscribe', job_id: jobs[0].body.job_id }));
    await followers(1);
    client.terminate();
    await followers(0);
  });
});
