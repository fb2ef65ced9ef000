import { connect } from 'node:net';
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
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toMatchObject({ type: expect.any(String), title: 'Bad Request', status: 400 });
    expect(response.body.detail).toMatch(message);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ detail: expect.stringMatching(message) })]),
    );
  });

  it('lists every problem of a body, each with a pointer to where it is', async () => {
    const response = await api.post('/api/submit', { input: 7, color: 'red', size: 2 });
    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(3);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { detail: 'input must be a string', pointer: '#/input' },
        { detail: 'property color should not exist', pointer: '#/color' },
        { detail: 'property size should not exist', pointer: '#/size' },
      ]),
    );
  });

  it('400 for malformed JSON', async () => {
    const response = await api.post('/api/submit', '{"input": "unterminated');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, detail: expect.stringMatching(/JSON/i) });
  });

  it('400 saying where for a lone UTF-16 surrogate, which must not share the cache entry of U+FFFD', async () => {
    const response = await api.post('/api/submit', '{"input": "Price: 5\\ud800 euros. It rose."}');
    expect(response.status).toBe(400);
    expect(response.body.detail).toMatch(
      /not valid Unicode: a lone UTF-16 surrogate \(\\ud800\) at character 8/,
    );
    expect(response.body.errors).toEqual([expect.objectContaining({ pointer: '#/input' })]);
  });

  it('400 saying where for a body that is not valid UTF-8', async () => {
    const body = Buffer.concat([
      Buffer.from('{"input":"caf'),
      Buffer.from([0xe9]),
      Buffer.from(' au lait. Good."}'),
    ]);
    const response = await fetch(`${api.baseUrl}/api/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toBe(
      'the body is not valid UTF-8: byte 0xe9 at offset 13',
    );
  });

  it('415 for a body that is not JSON', async () => {
    const response = await fetch(`${api.baseUrl}/api/submit`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'Plain text is not accepted.',
    });
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
  });

  it('405 with Allow for a known path and another method; 404 for an unknown path', async () => {
    const wrongMethod = await fetch(`${api.baseUrl}/api/submit`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const unknown = await api.get('/api/nothing-here');
    expect(unknown).toMatchObject({ status: 404, body: { status: 404, title: 'Not Found' } });
  });

  it.each([
    ['CONNECT example.com:443 HTTP/1.1', 405],
    ['FOO /api/submit HTTP/1.1', 400],
    ['GARBAGE', 400],
  ])('answers %j with HTTP, not a closed socket', async (requestLine, status) => {
    const answer = await rawRequest(api.baseUrl, `${requestLine}\r\nHost: localhost\r\n\r\n`);
    expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(answer).toContain('application/problem+json');
  });

  it('echoes x-request-id on every answer, and makes one when the client sent none', async () => {
    const given = await fetch(`${api.baseUrl}/api/status/not-a-job`, {
      headers: { 'x-request-id': 'trace-42' },
    });
    expect(given.headers.get('x-request-id')).toBe('trace-42');
    expect(((await given.json()) as { request_id: string }).request_id).toBe('trace-42');
    const made = await fetch(`${api.baseUrl}/health`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('400 for a JSON body that is not an object', async () => {
    const response = await api.post('/api/submit', '"just a string"');
    expect(response.status).toBe(400);
  });

  it('400 for no body at all', async () => {
    const response = await fetch(`${api.baseUrl}/api/submit`, { method: 'POST' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { status: number; detail: string };
    expect(body).toMatchObject({ status: 400, detail: 'input must be a string' });
  });

  it('413 for a body over MAX_INPUT_BYTES', async () => {
    const response = await api.post('/api/submit', { input: 'x'.repeat(4096) });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ status: 413, title: 'Payload Too Large' });
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

/** Sends raw bytes and returns what the server answers before closing (2 s at most). */
function rawRequest(baseUrl: string, text: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(2_000, () => socket.destroy());
  });
}
