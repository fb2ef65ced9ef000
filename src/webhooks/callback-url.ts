import { isIP } from 'node:net';
import { classifyAddress } from '../content/address-classifier';
import { hostKey } from '../core/config/host-port-list';

/** Longest callback URL accepted (the same bound as submitted page URLs). */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** A callback URL no delivery could ever reach; the message is written for the client (answered as a 400). */
export class InvalidCallbackUrlError extends Error {
  override readonly name = 'InvalidCallbackUrlError';
}

/**
 * Checks a `callback_url` at submit time without resolving anything (DNS answers change, and a lookup on the request
 * path would cost a round trip): refused are URLs that can never be delivered to — not http(s), with credentials,
 * too long, unparsable, without a host — and IP literals that are not public unless `host:port` is in
 * `allowedHosts` (FETCH_ALLOWED_HOSTS, parsed). Host names are judged when a delivery connects, by the same SSRF-safe
 * connector as fetched pages (a name that resolves to a private address then fails the delivery).
 *
 * WHATWG URL parsing has already turned every spelling of an IPv4 address (`2130706433`, `0x7f.1`, `127.1`) into
 * dotted decimal, so the check sees the address the connector would connect to.
 *
 * @returns the URL as it will be requested (WHATWG-serialized; nothing else is changed: no tracking parameter is
 *   dropped, the receiver's URL is its own).
 * @throws InvalidCallbackUrlError
 */
export function parseCallbackUrl(raw: string, allowedHosts: ReadonlySet<string>): string {
  if (raw.length > MAX_CALLBACK_URL_LENGTH) {
    throw new InvalidCallbackUrlError(
      `callback_url is too long (${raw.length} characters; at most ${MAX_CALLBACK_URL_LENGTH})`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InvalidCallbackUrlError('callback_url is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidCallbackUrlError(
      `callback_url must be an http or https URL, not ${url.protocol.replace(/:$/, '')}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidCallbackUrlError(
      'callback_url must not carry a user name or password; deliveries are signed (webhook-signature) instead',
    );
  }
  if (url.hostname === '') throw new InvalidCallbackUrlError('callback_url has no host name');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) !== 0) {
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const verdict = classifyAddress(host);
    if (!verdict.public && !allowedHosts.has(hostKey(host, port))) {
      throw new InvalidCallbackUrlError(
        `callback_url points to ${host} (${verdict.range}), which is not a public address; webhooks are only delivered to public addresses`,
      );
    }
  }
  return url.href;
}
