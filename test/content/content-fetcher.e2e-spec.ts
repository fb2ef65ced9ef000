import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ContentFetchError } from '../../src/content/content-errors';
import { ContentFetcher, type ContentFetcherOptions } from '../../src/content/content-fetcher';
import { articleHtml, startServer, type LocalServer } from './local-server';

// Every server here listens on 127.0.0.1; every URL fetched is loopback (or a name our resolver maps to loopback).
const baseOptions: ContentFetcherOptions = {
  allowedHosts: [],
  connectTimeoutMs: 1_000,
  timeoutMs: 3_000,
  maxBytes: 256 * 1024,
  maxRedirects: 5,
  minChars: 200,
};

const fetchers: ContentFetcher[] = [];
const servers: LocalServer[] = [];

function fetcher(options: Partial<ContentFetcherOptions> = {}): ContentFetcher {
  const instance = new ContentFetcher({ ...baseOptions, ...options });
  fetchers.push(instance);
  return instance;
}

async function server(handler?: Parameters<typeof startServer>[0]): Promise<LocalServer> {
  const instance = await startServer(handler);
  servers.push(instance);
  return instance;
}

async function failure(promise: Promise<unknown>): Promise<ContentFetchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContentFetchError);
  return error as ContentFetchError;
}

afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('SSRF protection, end to end', () => {
  let sentinel: LocalServer;

  beforeAll(async () => {
    sentinel = await startServer();
  });
  afterAll(async () => {
    await sentinel.close();
  });

  it.each([
    '127.0.0.1',
    '127.1',
    '2130706433',
    '0x7f000001',
    '0177.0.0.1',
    'localhost',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '0.0.0.0',
  ])('refuses http://%s:PORT/ without ever reaching the server', async (host) => {
    const error = await failure(fetcher().fetchArticle(`http://${host}:${sentinel.port}/secret`));
    expect(error.kind).toBe('blocked-address');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/only public web pages can be summarized/);
    expect(sentinel.hits).toEqual([]);
    expect(sentinel.connections()).toBe(0);
  });

  it('refuses a name that resolves to loopback (the rebinding shape) before connecting', async () => {
    const resolve = (hostname: string) =>
      Promise.resolve(hostname === 'rebind.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
    const error = await failure(fetcher({ resolve }).fetchArticle(`http://rebind.test:${sentinel.port}/`));
    expect(error.kind).toBe('blocked-address');
    expect(error.message).not.toContain('127.0.0.1');
    expect(sentinel.connections()).toBe(0);
  });

  it('connects to the very address it checked: one resolution per connection, no second lookup', async () => {
    const origin = await server();
    let lookups = 0;
    const resolve = (hostname: string) => {
      lookups++;
      return Promise.resolve(hostname === 'pinned.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
    };
    // `pinned.test` exists only in our resolver, so reaching the server proves the connector used its answer.
    const article = await fetcher({ resolve, allowedHosts: `pinned.test:${origin.port}` }).fetchArticle(
      `http://pinned.test:${origin.port}/story`,
    );
    expect(article.finalUrl).toBe(`http://pinned.test:${origin.port}/story`);
    expect(origin.hits).toEqual([{ path: '/story', host: `pinned.test:${origin.port}` }]);
    expect(lookups).toBe(1);
  });

  it('refuses a redirect from an allowed host:port to a port that is not allowed', async () => {
    const origin = await server((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${sentinel.port}/internal` }).end();
    });
    const error = await failure(
      fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url('/start')),
    );
    expect(error.kind).toBe('blocked-address');
    expect(origin.hits).toHaveLength(1);
    expect(sentinel.connections()).toBe(0);
  });

  it('refuses a redirect to another spelling of an allowed host that is not on the list', async () => {
    const origin = await server((req, res) => {
      if (req.url === '/start')
        res.writeHead(302, { location: `http://localhost:${origin.port}/again` }).end();
      else res.writeHead(200, { 'content-type': 'text/html' }).end(articleHtml());
    });
    const error = await failure(
      fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url('/start')),
    );
    expect(error.kind).toBe('blocked-address');
    expect(origin.hits.map((h) => h.path)).toEqual(['/start']);
  });

  it('refuses a redirect to a non-http scheme', async () => {
    const origin = await server((_req, res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end());
    const error = await failure(fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url()));
    expect(error.kind).toBe('invalid-url');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/redirected to a URL that cannot be fetched: Only http and https/);
  });

  it('matches allow-list entries after normalization (127.1:PORT allows 127.0.0.1:PORT)', async () => {
    const origin = await server();
    const article = await fetcher({ allowedHosts: ` 127.1:${origin.port} ,other:1` }).fetchArticle(
      origin.url(),
    );
    expect(article.title).toBe('A test article about local servers');
  });
});

describe('fetching an allowed origin', () => {
  it('returns the article with canonical source and final URLs, title and paragraph breaks', async () => {
    const origin = await server((req, res) => {
      if (req.url?.startsWith('/old')) res.writeHead(301, { location: '/new?b=2&a=1#top' }).end('moved');
      else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(articleHtml());
    });
    const now = new Date('2026-01-02T03:04:05.000Z');
    const article = await fetcher({ allowedHosts: origin.hostPort, now: () => now }).fetchArticle(
      `HTTP://127.0.0.1:${origin.port}/old?utm_source=x#frag`,
    );
    expect(article).toMatchObject({
      sourceUrl: origin.url('/old'),
      finalUrl: origin.url('/new?a=1&b=2'),
      title: 'A test article about local servers',
      contentType: 'text/html',
      fetchedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(article.text).toMatch(/^(A test article about local servers\n\n)?Paragraph 1 of the article/);
    expect(article.text.split('\n\n').filter((p) => p.startsWith('Paragraph'))).toHaveLength(6);
    expect(article.text).not.toMatch(/About us|Cookie settings/);
    expect(origin.hits.map((h) => h.path)).toEqual(['/old', '/new?a=1&b=2']);
  });

  it('sends a User-Agent and an Accept for HTML', async () => {
    let headers: Record<string, string | string[] | undefined> = {};
    const origin = await server((req, res) => {
      headers = req.headers;
      res.writeHead(200, { 'content-type': 'text/html' }).end(articleHtml());
    });
    await fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url());
    expect(headers['user-agent']).toMatch(/SmartCacheAI/);
    expect(headers.accept).toMatch(/text\/html/);
    expect(headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('passes text/plain through, keeping paragraphs', async () => {
    const text = Array.from(
      { length: 4 },
      (_, i) => `Plain paragraph ${i} with enough words to count.  Second line.`,
    );
    const origin = await server((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain' }).end(text.join('\r\n\r\n')),
    );
    const article = await fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url('/notes.txt'));
    expect(article).toMatchObject({ contentType: 'text/plain', title: null });
    expect(article.text).toBe(text.map((t) => t.replace('  ', ' ')).join('\n\n'));
  });
});

describe('origin answers', () => {
  it.each([
    [404, false, /not found/],
    [410, false, /not found/],
    [403, false, /refused access/],
    [401, false, /refused access/],
    [400, false, /HTTP 400/],
    [500, true, /HTTP 500/],
    [503, true, /HTTP 503/],
    [429, true, /slow down/],
  ])('HTTP %i → retryable=%s', async (status, retryable, message) => {
    const origin = await server((_req, res) =>
      res.writeHead(status, { 'content-type': 'text/html' }).end('nope'),
    );
    const error = await failure(fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url()));
    expect(error).toMatchObject({ kind: 'http-status', retryable, status });
    expect(error.message).toMatch(message);
  });

  it('fails a redirect chain longer than the limit, after exactly limit + 1 requests', async () => {
    const origin = await server((req, res) => {
      const n = Number(req.url?.split('/')[2] ?? 0);
      res.writeHead(302, { location: `/r/${n + 1}` }).end();
    });
    const error = await failure(
      fetcher({ allowedHosts: origin.hostPort, maxRedirects: 3 }).fetchArticle(origin.url('/r/0')),
    );
    expect(error).toMatchObject({ kind: 'too-many-redirects', retryable: false });
    expect(error.message).toMatch(/more than 3 times/);
    expect(origin.hits).toHaveLength(4);
  });

  it('rejects a PDF with a clear reason, without reading it', async () => {
    const origin = await server((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.alloc(10_000)),
    );
    const error = await failure(
      fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url('/paper.pdf')),
    );
    expect(error).toMatchObject({ kind: 'unsupported-content-type', retryable: false });
    expect(error.message).toMatch(/unsupported content type application\/pdf/i);
  });

  it('fails a page with too little text, saying how much it had', async () => {
    const origin = await server((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          '<html><head><title>Sign in</title></head><body><form>Please sign in to continue.</form></body></html>',
        ),
    );
    const error = await failure(fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url()));
    expect(error).toMatchObject({ kind: 'too-little-text', retryable: false });
    expect(error.message).toMatch(/too little text to summarize \(\d+ characters/);
  });

  it('a closed port is retryable (connection refused)', async () => {
    const closed = await startServer();
    const { hostPort, port } = closed;
    await closed.close();
    const error = await failure(
      fetcher({ allowedHosts: hostPort }).fetchArticle(`http://127.0.0.1:${port}/`),
    );
    expect(error).toMatchObject({ kind: 'connect', retryable: true });
  });

  it('a connection reset mid-body is retryable', async () => {
    const origin = await server((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': '100000' });
      res.write('<html><body><p>partial');
      setTimeout(() => req.socket.destroy(), 50);
    });
    const error = await failure(fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url()));
    expect(error.retryable).toBe(true);
  });
});

describe('limits', () => {
  it('a server dripping one byte every 200 ms fails at the total timeout', async () => {
    const timers: NodeJS.Timeout[] = [];
    const origin = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      timers.push(setInterval(() => res.write('a'), 200));
    });
    const started = Date.now();
    const error = await failure(
      fetcher({ allowedHosts: origin.hostPort, timeoutMs: 1_000 }).fetchArticle(origin.url()),
    );
    const elapsed = Date.now() - started;
    timers.forEach(clearInterval);
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(error.message).toMatch(/longer than 1 s/);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('a server that never sends headers fails at the total timeout', async () => {
    const origin = await server(() => undefined);
    const started = Date.now();
    const error = await failure(
      fetcher({ allowedHosts: origin.hostPort, timeoutMs: 800 }).fetchArticle(origin.url()),
    );
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(1_800);
  });

  it('the caller can cancel; cancellation is retryable', async () => {
    const origin = await server(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(
      fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url(), controller.signal),
    );
    expect(error).toMatchObject({ kind: 'aborted', retryable: true });
  });

  it('stops reading an endless body past maxBytes and closes the connection', async () => {
    let written = 0;
    let closed = false;
    const origin = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(16 * 1024, 'a');
      const pump = (): void => {
        // Bounded so a broken fetcher cannot make the test run forever.
        while (!closed && written < 50 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => {
        closed = true;
      });
      pump();
    });
    const error = await failure(
      fetcher({ allowedHosts: origin.hostPort, maxBytes: 64 * 1024 }).fetchArticle(origin.url()),
    );
    expect(error).toMatchObject({ kind: 'too-large', retryable: false });
    expect(error.message).toMatch(/too large/);
    await expect.poll(() => closed).toBe(true);
    expect(written).toBeLessThan(10 * 1024 * 1024);
  });

  it('refuses a declared Content-Length above maxBytes without reading', async () => {
    const origin = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(10 * 1024 * 1024) });
      res.write('<html>');
    });
    const error = await failure(
      fetcher({ allowedHosts: origin.hostPort, maxBytes: 64 * 1024 }).fetchArticle(origin.url()),
    );
    expect(error.kind).toBe('too-large');
  });

  it('counts decompressed bytes: a gzip bomb stops at maxBytes', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const origin = await server((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb),
    );
    const before = process.memoryUsage().rss;
    const error = await failure(
      fetcher({ allowedHosts: origin.hostPort, maxBytes: 1024 * 1024 }).fetchArticle(origin.url()),
    );
    expect(error.kind).toBe('too-large');
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });
});

describe('encodings', () => {
  const html = articleHtml('Compressed article');

  it.each([
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
  ] as const)('decodes a %s body', async (encoding, compress) => {
    const origin = await server((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': encoding })
        .end(compress(Buffer.from(html))),
    );
    const article = await fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url());
    expect(article.title).toMatch(/^Compressed article/);
    expect(article.text).toContain('Paragraph 6 of the article');
  });

  it('refuses an encoding it did not ask for', async () => {
    const origin = await server((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'zstd' }).end('xx'),
    );
    const error = await failure(fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url()));
    expect(error.message).toMatch(/unsupported content encoding \(zstd\)/);
  });

  // "Café “quoted” – naïve" in windows-1252: é=E9, “=93, ”=94, –=96, ï=EF.
  const cp1252 = Buffer.from([
    ...Buffer.from('Caf', 'latin1'),
    0xe9,
    0x20,
    0x93,
    ...Buffer.from('quoted', 'latin1'),
    0x94,
    0x20,
    0x96,
    ...Buffer.from(' na', 'latin1'),
    0xef,
    0x76,
    0x65,
  ]);
  const page = (meta: string) =>
    Buffer.concat([
      Buffer.from(`<html><head>${meta}<title>Encoding test</title></head><body><article>`, 'latin1'),
      ...Array.from({ length: 8 }, () =>
        Buffer.concat([
          Buffer.from('<p>', 'latin1'),
          cp1252,
          Buffer.from(' is a sentence about coffee. </p>'),
        ]),
      ),
      Buffer.from('</article></body></html>'),
    ]);

  it.each([
    ['the Content-Type header', 'text/html; charset=windows-1252', ''],
    ['<meta charset>', 'text/html', '<meta charset="windows-1252">'],
    [
      '<meta http-equiv>',
      'text/html',
      '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">',
    ],
    ['nothing (invalid UTF-8 falls back to windows-1252)', 'text/html', ''],
  ])('decodes windows-1252 declared by %s', async (_how, contentType, meta) => {
    const origin = await server((_req, res) =>
      res.writeHead(200, { 'content-type': contentType }).end(page(meta)),
    );
    const article = await fetcher({ allowedHosts: origin.hostPort }).fetchArticle(origin.url());
    expect(article.text).toContain('Café “quoted” – naïve is a sentence about coffee.');
  });
});

describe('https', () => {
  function selfSignedCertificate(): { key: Buffer; cert: Buffer } | undefined {
    const dir = mkdtempSync(path.join(tmpdir(), 'content-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
        ].concat([
          '-subj',
          '/CN=localhost',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ]),
        { stdio: 'ignore', timeout: 10_000 },
      );
      return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
    } catch {
      return undefined;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('goes through the same connector: an untrusted certificate fails permanently, a blocked host never connects', async (context) => {
    const credentials = selfSignedCertificate();
    if (credentials === undefined) return context.skip('openssl is not available');
    let connections = 0;
    const tls = createHttpsServer(credentials, (_req, res) => res.writeHead(200).end(articleHtml()));
    tls.on('connection', () => connections++);
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const { port } = tls.address() as AddressInfo;
    try {
      const blocked = await failure(fetcher().fetchArticle(`https://localhost:${port}/`));
      expect(blocked.kind).toBe('blocked-address');
      expect(connections).toBe(0);

      const untrusted = await failure(
        fetcher({ allowedHosts: `127.0.0.1:${port}` }).fetchArticle(`https://127.0.0.1:${port}/`),
      );
      expect(untrusted).toMatchObject({ kind: 'connect', retryable: false });
      expect(untrusted.message).toMatch(/certificate/);
      expect(connections).toBe(1);
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });
});
