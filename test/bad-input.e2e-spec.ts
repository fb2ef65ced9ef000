import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, startTestApp, type TestApp } from './support/test-app';
import { TEST_REDIS_URL } from './support/test-environment';

describe('bad input gets a clear 4xx, never a 500', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ env: { PROCESS_ROLE: 'api', MAX_INPUT_BYTES: '2048' } });
  });
  afterAll(async () => {
    await api.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, api.env.REDIS_KEY_PREFIX);
  });

  it.each([
    ['missing input', {}, /input must be a string/],
    ['empty input', { input: '' }, /input must not be empty/],
    ['white space only', { input: ' \n\t ' }, /empty or only white space/],
    ['a number', { input: 42 }, /input must be a string/],
    ['an array', { input: ['a'] }, /input must be a string/],
    ['an object', { input: { text: 'a' } }, /input must be a string/],
    ['null', { input: null }, /input must be a string/],
    ['an unknown field', { input: 'Fine text.', extra: 1 }, /property extra should not exist/],
    ['an ftp URL', { input: 'ftp://example.com/file.txt' }, /only http and https/i],
    ['a file URL', { input: 'file:///etc/passwd' }, /only http and https/i],
    ['a javascript URL', { input: 'javascript:alert(1)' }, /only http and https/i],
    ['a URL with credentials', { input: 'https://user:secret@example.com/' }, /user name or password/],
  ])('400 for %s', async (_case, body, message) => {
    const response = await api.post('/api/submit', body);
    expect(response.status).toBe(400);
    expect(response.body.statusCode).toBe(400);
    expect(JSON.stringify(response.body.message)).toMatch(message);
  });

  it('400 for malformed JSON', async () => {
    const response = await api.post('/api/submit', '{"input": "unterminated');
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/JSON/i);
  });

  it('400 for a JSON body that is not an object', async () => {
    const response = await api.post('/api/submit', '"just a string"');
    expect(response.status).toBe(400);
  });

  it('400 for no body at all', async () => {
    const response = await fetch(`${api.baseUrl}/api/submit`, { method: 'POST' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { statusCode: number; message: unknown };
    expect(body.statusCode).toBe(400);
    expect(JSON.stringify(body.message)).toMatch(/input must be a string/);
  });

  it('413 for a body over MAX_INPUT_BYTES', async () => {
    const response = await api.post('/api/submit', { input: 'x'.repeat(4096) });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ statusCode: 413 });
  });

  it('accepts ordinary text that contains a colon or a URL in a sentence', async () => {
    const response = await api.post('/api/submit', {
      input: 'Note: read https://example.com later. It is long.',
    });
    expect(response.status).toBe(202);
    expect(response.body.input_type).toBe('text');
  });

  it('accepts an http URL as a URL input', async () => {
    const response = await api.post('/api/submit', { input: 'HTTP://Example.COM:80/a?b=1#frag' });
    expect(response.status).toBe(202);
    expect(response.body.input_type).toBe('url');
  });
});
