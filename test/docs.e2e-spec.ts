import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, startTestApp, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-environment';

describe('API documentation and health', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ env: { PROCESS_ROLE: 'api' } });
  });
  afterAll(async () => {
    await api.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  it('serves the Swagger UI at /docs', async () => {
    const response = await fetch(`${api.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger');
  });

  it('describes every endpoint and both submit answers in /docs-json', async () => {
    const { status, body } = await api.get('/docs-json');
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/submit', '/api/status/{job_id}', '/api/analytics', '/health']),
    );
    expect(Object.keys(body.paths['/api/submit'].post.responses)).toEqual(
      expect.arrayContaining(['200', '202', '400', '413', '503']),
    );
  });

  it('reports Redis, the queue and the AI credentials as up on /health', async () => {
    const { status, body } = await api.get('/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      details: { redis: { status: 'up' }, queue: { status: 'up' }, ai_credentials: { status: 'up' } },
    });
  });
});
