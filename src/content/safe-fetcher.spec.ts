import { describe, expect, it } from 'vitest';
import { ContentFetchError } from './content-errors';
import { SafeFetcher } from './safe-fetcher';

const options = { connectTimeoutMs: 1000, timeoutMs: 1000, maxBytes: 1024 * 1024, maxRedirects: 5 };

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
