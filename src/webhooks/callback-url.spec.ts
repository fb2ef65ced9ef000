import { describe, expect, it } from 'vitest';
import { parseHostPortList } from '../core/config/host-port-list';
import { InvalidCallbackUrlError, MAX_CALLBACK_URL_LENGTH, parseCallbackUrl } from './callback-url';

const none = parseHostPortList('');

describe('parseCallbackUrl', () => {
  it('accepts http(s) URLs with host names, public IPs, ports, paths and queries, unchanged', () => {
    expect(parseCallbackUrl('https://hooks.example.com/smartcache?token=abc&utm_source=x', none)).toBe(
      'https://hooks.example.com/smartcache?token=abc&utm_source=x',
    );
    expect(parseCallbackUrl('http://93.184.216.34:8080/hook', none)).toBe('http://93.184.216.34:8080/hook');
    expect(parseCallbackUrl('https://[2606:4700::1111]/hook', none)).toBe('https://[2606:4700::1111]/hook');
  });

  it('does not resolve host names: localhost passes here and is judged when a delivery connects', () => {
    expect(parseCallbackUrl('http://localhost:9999/hook', none)).toBe('http://localhost:9999/hook');
  });

  it.each([
    ['not a url', /not a valid absolute URL/],
    ['/relative/path', /not a valid absolute URL/],
    ['ftp://example.com/hook', /http or https URL, not ftp/],
    ['javascript:alert(1)', /http or https URL, not javascript/],
    ['file:///etc/passwd', /http or https URL, not file/],
    ['https://user:pass@example.com/hook', /user name or password/],
    ['https://user@example.com/hook', /user name or password/],
    ['http://127.0.0.1:8080/hook', /127\.0\.0\.1 \(loopback\), which is not a public address/],
    ['http://2130706433/hook', /127\.0\.0\.1 \(loopback\)/],
    ['http://0x7f.1/hook', /127\.0\.0\.1 \(loopback\)/],
    ['http://10.1.2.3/hook', /10\.1\.2\.3 \(private\)/],
    ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254 \(linkLocal\)/],
    ['http://0.0.0.0:80/', /0\.0\.0\.0 \(unspecified\)/],
    ['http://[::1]:8080/hook', /::1 \(loopback\)/],
    ['http://[::ffff:127.0.0.1]/hook', /ipv4Mapped\(loopback\)/],
    ['http://[fd00::1]/hook', /uniqueLocal/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseCallbackUrl(raw, none)).toThrow(InvalidCallbackUrlError);
    expect(() => parseCallbackUrl(raw, none)).toThrow(message);
  });

  it('refuses URLs longer than the limit, and takes one at the limit', () => {
    const base = 'https://example.com/';
    const atLimit = base + 'a'.repeat(MAX_CALLBACK_URL_LENGTH - base.length);
    expect(parseCallbackUrl(atLimit, none)).toBe(atLimit);
    expect(() => parseCallbackUrl(`${atLimit}a`, none)).toThrow(/too long \(2049 characters; at most 2048\)/);
  });

  it('lets FETCH_ALLOWED_HOSTS open exactly the listed host:port pairs, in any spelling', () => {
    const allowed = parseHostPortList('127.0.0.1:8080, [::1]:9000');
    expect(parseCallbackUrl('http://127.0.0.1:8080/hook', allowed)).toBe('http://127.0.0.1:8080/hook');
    expect(parseCallbackUrl('http://127.1:8080/hook', allowed)).toBe('http://127.0.0.1:8080/hook');
    expect(parseCallbackUrl('http://[::1]:9000/', allowed)).toBe('http://[::1]:9000/');
    // Another port of an allowed address is not allowed; nor is the default port when only 8080 is listed.
    expect(() => parseCallbackUrl('http://127.0.0.1:8081/hook', allowed)).toThrow(InvalidCallbackUrlError);
    expect(() => parseCallbackUrl('http://127.0.0.1/hook', allowed)).toThrow(InvalidCallbackUrlError);
    expect(() => parseCallbackUrl('https://127.0.0.1:8080/hook', parseHostPortList('127.0.0.1:443'))).toThrow(
      InvalidCallbackUrlError,
    );
    expect(parseCallbackUrl('https://127.0.0.1/hook', parseHostPortList('127.0.0.1:443'))).toBe(
      'https://127.0.0.1/hook',
    );
  });
});
