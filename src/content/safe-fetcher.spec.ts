import { describe, expect, it } from 'vitest';
import { ContentFetchError } from './content-errors';
import { detectCharset, SafeFetcher } from './safe-fetcher';

const options = { connectTimeoutMs: 1000, timeoutMs: 1000, maxBytes: 1024 * 1024, maxRedirects: 5 };

describe('detectCharset', () => {
  const ascii = (text: string) => Buffer.from(text, 'latin1');

  it('prefers a byte-order mark, then the header, then <meta>', () => {
    expect(detectCharset(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), 'windows-1252', true)).toBe('utf-8');
    expect(detectCharset(Buffer.from([0xff, 0xfe, 0x41, 0]), undefined, true)).toBe('utf-16le');
    expect(detectCharset(ascii('<meta charset="shift_jis">'), 'iso-8859-2', true)).toBe('iso-8859-2');
    expect(detectCharset(ascii('<meta charset="shift_jis">'), undefined, true)).toBe('shift_jis');
  });

  it('reads <meta http-equiv> and attribute orders seen on real pages', () => {
    expect(
      detectCharset(
        ascii(`<meta content='text/html; charset=ISO-8859-1' http-equiv='Content-Type' />`),
        undefined,
        true,
      ),
    ).toBe('windows-1252');
    expect(detectCharset(ascii('<meta data-n-head="ssr" charset="koi8-r" />'), undefined, true)).toBe(
      'koi8-r',
    );
  });

  it('ignores <meta> in text/plain, unknown labels, and UTF-16 claimed in ASCII markup', () => {
    expect(detectCharset(ascii('<meta charset="koi8-r">'), undefined, false)).toBe('utf-8');
    expect(detectCharset(ascii('<meta charset="no-such-charset">'), 'bogus', true)).toBe('utf-8');
    expect(detectCharset(ascii('<meta charset="utf-16">'), undefined, true)).toBe('utf-8');
  });

  it('without a declaration: UTF-8 when the bytes are valid UTF-8, else windows-1252', () => {
    expect(detectCharset(Buffer.from('naïve café', 'utf8'), undefined, true)).toBe('utf-8');
    expect(detectCharset(Buffer.from([0x63, 0x61, 0x66, 0xe9]), undefined, true)).toBe('windows-1252');
  });
});

describe('SafeFetcher', () => {
  it('refuses malformed FETCH_ALLOWED_HOSTS entries at construction', () => {
    expect(() => new SafeFetcher({ ...options, allowedHosts: 'localhost' })).toThrow(/needs a port/);
    expect(() => new SafeFetcher({ ...options, allowedHosts: 'a b:80' })).toThrow(/not a host:port pair/);
    expect(() => new SafeFetcher({ ...options, allowedHosts: 'host:80/path' })).toThrow(/only host:port/);
  });

  it('accepts an empty list, a string list and an array', async () => {
    for (const allowedHosts of ['', ' , ', 'localhost:8080, [::1]:9000', ['127.0.0.1:80']]) {
      await new SafeFetcher({ ...options, allowedHosts }).close();
    }
  });

  it('fails an invalid URL permanently without any network access', async () => {
    const resolve = () => Promise.reject(new Error('must not be called'));
    const fetcher = new SafeFetcher({ ...options, resolve });
    for (const url of ['ftp://example.com/', 'https://user:pw@example.com/', 'not a url']) {
      const error: unknown = await fetcher.fetch(url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContentFetchError);
      expect(error).toMatchObject({ kind: 'invalid-url', retryable: false });
    }
    await fetcher.close();
  });
});
