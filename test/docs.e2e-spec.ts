import { createConfig, lintFromString } from '@redocly/openapi-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
      expect.arrayContaining(['200', '202', '400', '413', '415', '503']),
    );
    expect(body.paths['/api/submit'].post.responses['503'].headers).toHaveProperty('Retry-After');
    expect(body.components.schemas).toHaveProperty('ProblemDetails');
    expect(body.info.version).toBe(
      (JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string }).version,
    );
  });

  it('passes redocly lint with the recommended rules', async () => {
    const { body } = await api.get('/docs-json');
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: JSON.stringify(body),
      absoluteRef: 'openapi.json',
      config,
    });
    const found = problems.map(
      (p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`,
    );
    // The one accepted warning: /health answers only 200 or 503 (load balancers read the status), never a 4xx.
    const accepted = ['warn operation-4xx-response #/paths/~1health/get/responses'];
    expect(found.filter((line) => !accepted.some((prefix) => line.startsWith(prefix)))).toEqual([]);
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
