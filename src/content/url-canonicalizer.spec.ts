import { describe, expect, it } from 'vitest';
import { InvalidUrlError } from './content-errors';
import { canonicalizeUrl, isTrackingParameter, looksLikeUrl } from './url-canonicalizer';

describe('canonicalizeUrl', () => {
  it.each([
    ['HTTP://Example.COM', 'http://example.com/'],
    ['https://example.com:443/a', 'https://example.com/a'],
    ['http://example.com:80/a', 'http://example.com/a'],
    ['http://example.com:8080/a', 'http://example.com:8080/a'],
    ['https://example.com/a#section-2', 'https://example.com/a'],
    ['https://example.com/a?', 'https://example.com/a'],
    ['https://example.com./a', 'https://example.com/a'],
    ['  https://example.com/a  ', 'https://example.com/a'],
    ['https://bücher.example/straße', 'https://xn--bcher-kva.example/stra%C3%9Fe'],
    ['https://example.com/a%2fb?q=%c3%a9', 'https://example.com/a%2Fb?q=%C3%A9'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });

  it('gives two spellings of one page the same string', () => {
    const a = canonicalizeUrl('HTTPS://News.Example.com:443/story?b=2&a=1&utm_source=twitter#comments');
    const b = canonicalizeUrl('https://news.example.com/story?fbclid=XYZ&a=1&b=2&utm_medium=social&gclid=1');
    expect(a).toBe('https://news.example.com/story?a=1&b=2');
    expect(b).toBe(a);
  });

  it('drops every listed tracking parameter and keeps the others', () => {
    const url =
      'https://example.com/p?id=7&utm_source=x&UTM_Campaign=y&fbclid=1&gclid=2&mc_eid=3&mc_cid=4&msclkid=5' +
      '&yclid=6&_hsenc=7&_hsmi=8&igshid=9&ref_src=10&page=2';
    expect(canonicalizeUrl(url)).toBe('https://example.com/p?id=7&page=2');
  });

  it('sorts parameters stably, keeping the order of repeated names and the exact value bytes', () => {
    expect(canonicalizeUrl('https://example.com/?z=1&a=2&a=1&m=a%20b&m=a+b')).toBe(
      'https://example.com/?a=2&a=1&m=a%20b&m=a+b&z=1',
    );
  });

  it('drops empty parameter pairs', () => {
    expect(canonicalizeUrl('https://example.com/?&&b=1&&a')).toBe('https://example.com/?a&b=1');
  });

  it('normalizes numeric host spellings to dotted IPv4 (checked later by the fetcher)', () => {
    for (const host of ['127.1', '2130706433', '0x7f000001', '0177.0.0.1', '0x7f.1']) {
      expect(canonicalizeUrl(`http://${host}/`)).toBe('http://127.0.0.1/');
    }
    expect(canonicalizeUrl('http://[::FFFF:127.0.0.1]/')).toBe('http://[::ffff:7f00:1]/');
  });

  it.each([
    ['ftp://example.com/file', /Only http and https/],
    ['file:///etc/passwd', /Only http and https/],
    ['javascript:alert(1)', /Only http and https/],
    ['data:text/html,hi', /Only http and https/],
    ['https://user:secret@example.com/', /user name or password/],
    ['https://user@example.com/', /user name or password/],
    ['not a url', /not a valid URL/],
    ['http://', /not a valid URL/],
    ['', /empty/],
    [`https://example.com/${'a'.repeat(3000)}`, /too long/],
  ])('rejects %s', (input, message) => {
    expect(() => canonicalizeUrl(input)).toThrow(InvalidUrlError);
    expect(() => canonicalizeUrl(input)).toThrow(message);
  });
});

describe('looksLikeUrl', () => {
  it.each([
    'https://example.com',
    'ftp://example.com/x',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'file:/etc/x',
  ])('treats %s as a URL', (input) => expect(looksLikeUrl(input)).toBe(true));

  it.each([
    'Note: the meeting moved to Friday.',
    'The quick brown fox jumps over the lazy dog.',
    'Ratio 3:4 was used',
    'see example.com for details',
    'https://example.com/a — a great article. It says a lot.',
    'http://x.com\n\nThe council met on Monday.',
  ])('treats %j as text', (input) => expect(looksLikeUrl(input)).toBe(false));
});

describe('isTrackingParameter', () => {
  it('matches utm_* and listed names case-insensitively, not look-alikes', () => {
    expect(isTrackingParameter('utm_whatever')).toBe(true);
    expect(isTrackingParameter('FBCLID')).toBe(true);
    expect(isTrackingParameter('id')).toBe(false);
    expect(isTrackingParameter('utmost')).toBe(false);
  });
});
