import { ContentFetchError } from './content-errors';
import { BlockedAddressError } from './safe-connector';
import { causeChain } from '../core/runtime/cause-chain';

/** Turns what went wrong while fetching (an HTTP status, a socket or DNS error) into a classified, user-facing error. */

/** The error for a non-2xx, non-redirect answer: 4xx fail for good (but 408, 429), 5xx are worth retrying. */
export function httpStatusError(status: number): ContentFetchError {
  if (status === 404 || status === 410) {
    return new ContentFetchError(`The page was not found (HTTP ${status}).`, 'http-status', false, {
      status,
    });
  }
  if (status === 401 || status === 403) {
    return new ContentFetchError(
      `The site refused access to the page (HTTP ${status}); it may need a login.`,
      'http-status',
      false,
      { status },
    );
  }
  if (status === 429 || status === 408) {
    return new ContentFetchError(`The site asked us to slow down (HTTP ${status}).`, 'http-status', true, {
      status,
    });
  }
  if (status >= 500) {
    return new ContentFetchError(`The site had an error (HTTP ${status}).`, 'http-status', true, { status });
  }
  return new ContentFetchError(`The site answered HTTP ${status}.`, 'http-status', false, { status });
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

const RETRYABLE_CODES: Readonly<Record<string, string>> = {
  EAI_AGAIN: 'The site’s name could not be looked up right now (temporary DNS failure).',
  ECONNREFUSED: 'The site refused the connection.',
  ECONNRESET: 'The connection to the site was reset.',
  EPIPE: 'The connection to the site was closed unexpectedly.',
  ETIMEDOUT: 'Connecting to the site timed out.',
  EHOSTUNREACH: 'The site could not be reached.',
  ENETUNREACH: 'The site could not be reached.',
  UND_ERR_CONNECT_TIMEOUT: 'Connecting to the site timed out.',
  UND_ERR_HEADERS_TIMEOUT: 'The site took too long to answer.',
  UND_ERR_BODY_TIMEOUT: 'The site took too long to send the page.',
  UND_ERR_SOCKET: 'The connection to the site was closed unexpectedly.',
  UND_ERR_CLOSED: 'The connection to the site was closed unexpectedly.',
};

/** Maps a network-level failure (from the connector, undici, zlib) to a user-facing, classified error. */
export function classifyNetworkError(error: unknown): ContentFetchError {
  const chain = causeChain(error);
  const blocked = chain.find((e): e is BlockedAddressError => e instanceof BlockedAddressError);
  if (blocked !== undefined) {
    // The resolved address stays in `cause` (logs); the user only learns that the name is not public.
    return new ContentFetchError(
      `${blocked.hostname} is a private, local or reserved network address; only public web pages can be summarized.`,
      'blocked-address',
      false,
      { cause: error },
    );
  }
  const code = chain
    .map((e) => (e as { code?: unknown }).code)
    .find((c): c is string => typeof c === 'string');
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME' || code === 'EAI_NODATA') {
    return new ContentFetchError('The site’s name does not exist (DNS lookup failed).', 'dns', false, {
      cause: error,
    });
  }
  if (code !== undefined && code in RETRYABLE_CODES) {
    const kind =
      code.includes('TIMEOUT') || code === 'ETIMEDOUT' ? 'timeout' : code === 'EAI_AGAIN' ? 'dns' : 'connect';
    return new ContentFetchError(RETRYABLE_CODES[code], kind, true, { cause: error });
  }
  if (
    code !== undefined &&
    (code.startsWith('CERT_') || code.startsWith('ERR_TLS_') || /CERT|SIGNATURE/.test(code))
  ) {
    return new ContentFetchError('The site’s TLS certificate is not valid.', 'connect', false, {
      cause: error,
    });
  }
  if (code !== undefined && (code.startsWith('Z_') || code === 'ERR__ERROR_FORMAT_PADDING_1')) {
    return new ContentFetchError('The page’s compressed body is corrupt.', 'network', false, {
      cause: error,
    });
  }
  // Anything else (a parser error on a half-sent response, an unknown socket error) may well pass next time.
  return new ContentFetchError('A network error occurred while fetching the page.', 'network', true, {
    cause: error,
  });
}
