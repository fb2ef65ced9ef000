import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARIZER } from '../../src/ai/summarizer';
import { SUMMARIZE_QUEUE } from '../../src/jobs/queue.constants';
import { TestApiKeys } from '../support/api-keys';
import { TestDatabase } from '../support/postgres';
import { ScriptedSummarizer } from '../support/scripted-summarizer';
import { deleteKeysWithPrefix, startTestApp, waitFor, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

const ADMIN_TOKEN = 'history-admin-token-0123456789abcdef';

/**
 * With PostgreSQL, a job outlives its BullMQ record in the job history: the history keeps who made it and in which
 * cache scope, so the status fallback answers in the job's own scope only, and the history lists are for operators.
 */
describe('the job history keeps to cache scopes, and its lists to operators (API keys on, PostgreSQL)', () => {
  const prefix = uniquePrefix();
  const keys = new TestApiKeys(prefix);
  let db: TestDatabase;
  let api: TestApp;

  beforeAll(async () => {
    db = await TestDatabase.create();
    api = await startTestApp({
      env: { REDIS_KEY_PREFIX: prefix, DATABASE_URL: db.url, API_KEYS_REQUIRED: 'true', ADMIN_TOKEN },
      override: (builder) => builder.overrideProvider(SUMMARIZER).useValue(new ScriptedSummarizer()),
    });
  });
  afterAll(async () => {
    await api?.close();
    keys.close();
    await db?.drop();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  it('answers a forgotten private job from the history to its owner only, and records who made each job', async () => {
    const alice = await keys.create({ cache: 'private', name: 'alice' });
    const shared = await keys.create({ name: 'shared' });
    const ids: Record<string, string> = {};
    for (const [name, key] of [
      ['alice', alice],
      ['shared', shared],
    ] as const) {
      const answer = await api.post(
        '/api/submit',
        { input: `History scope of ${name}. Two sentences.` },
        key.auth,
      );
      ids[name] = answer.body.job_id as string;
    }
    await waitFor(async () => ((await db.count('job_history')) === 2 ? true : undefined), {
      what: 'both rows',
    });
    const rows = await db.query<{ id: string; api_key_id: string; scope_owner: string | null }>(
      'select id, api_key_id, scope_owner from job_history',
    );
    expect(rows.find((row) => row.id === ids.alice)).toMatchObject({
      api_key_id: alice.id,
      scope_owner: alice.id,
    });
    expect(rows.find((row) => row.id === ids.shared)).toMatchObject({
      api_key_id: shared.id,
      scope_owner: null,
    });

    // BullMQ forgets both jobs; the history answers, each in its own scope.
    const queue = api.app.get<Queue>(getQueueToken(SUMMARIZE_QUEUE));
    for (const id of Object.values(ids)) await queue.remove(id);
    expect((await api.get(`/api/status/${ids.alice}`, alice.auth)).status).toBe(200);
    expect((await api.get(`/api/status/${ids.alice}`, shared.auth)).status).toBe(404);
    expect((await api.get(`/api/status/${ids.shared}`, shared.auth)).status).toBe(200);
    expect((await api.get(`/api/status/${ids.shared}`, alice.auth)).status).toBe(404);
  });

  it('opens the history lists to the admin token, not to API keys', async () => {
    const key = await keys.create();
    for (const path of ['/api/jobs', '/api/analytics/history']) {
      expect((await api.get(path, key.auth)).status).toBe(401);
      expect((await api.get(path, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
    }
  });
});
