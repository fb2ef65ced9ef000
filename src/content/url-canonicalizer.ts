import { InvalidUrlError } from './content-errors';

/** Longest URL accepted; longer inputs are almost always pasted text or an attack on the parser, not a page. */
export const MAX_URL_LENGTH = 2048;

/**
 * Query parameters that only tell the linking site or an ad network where a click came from. They never change the
 * page, so dropping them lets two shares of one article share a cache entry and a job. Matched case-insensitively;
 * every `utm_*` parameter is dropped as well.
 */
export const TRACKING_PARAMETERS: ReadonlySet<string> = new Set([
  // Google Ads / Analytics / DoubleClick
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  '_ga',
  '_gl',
  // Meta, Microsoft, Yandex, Twitter/X, TikTok, LinkedIn, Instagram
  'fbclid',
  'msclkid',
  'yclid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'igshid',
  'ref_src',
  'ref_url',
  // Mailchimp, HubSpot, Marketo, Vero, Olytics, Openstat, Wicked Reports
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  '__hstc',
  '__hssc',
  '__hsfp',
  'hsctatracking',
  'mkt_tok',
  'vero_id',
  'vero_conv',
  'oly_anon_id',
  'oly_enc_id',
  '_openstat',
  'wickedid',
]);

const TRACKING_PREFIXES: readonly string[] = ['utm_'];

/** Whether a (decoded) query parameter name is tracking noise that canonicalization removes. */
export function isTrackingParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMETERS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

const SCHEME_WITH_SLASHES = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCHEME_ONLY = /^[a-z][a-z0-9+.-]*:\S/i;

/**
 * Whether a submitted string is meant as a URL rather than as text to summarize: a single token starting with
 * `scheme://` or `scheme:` (`javascript:alert(1)`, `file:/etc/passwd`, `mailto:x@y`). Text such as
 * "Note: the meeting moved" has whitespace and stays text. The API then calls {@link canonicalizeUrl}, which rejects
 * every scheme but http and https with a 400.
 */
export function looksLikeUrl(input: string): boolean {
  const trimmed = input.trim();
  // One token only: "https://example.com — a great read. It says…" is text that starts with a link.
  if (/\s/.test(trimmed)) return false;
  return SCHEME_WITH_SLASHES.test(trimmed) || SCHEME_ONLY.test(trimmed);
}

/**
 * The one spelling of a URL used for cache keys, job ids and fetching: lowercase scheme and host, IDN as punycode, no
 * default port, no fragment, tracking parameters removed, the other parameters sorted by name (stable, so repeated
 * names keep their order), percent-escapes in upper case, `/` for an empty path, no trailing dot on the host.
 *
 * Parameter values are kept byte for byte (not re-encoded through URLSearchParams, which would turn `%20` into `+`)
 * because some servers do not treat those as equal.
 *
 * @throws InvalidUrlError for anything but an absolute http(s) URL without credentials.
 */
export function canonicalizeUrl(raw: string): string {
  const input = raw.trim();
  if (input.length === 0) throw new InvalidUrlError('The URL is empty.');
  if (input.length > MAX_URL_LENGTH) {
    throw new InvalidUrlError(`The URL is too long (${input.length} characters; at most ${MAX_URL_LENGTH}).`);
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch (error) {
    throw new InvalidUrlError(`"${truncate(input)}" is not a valid URL.`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidUrlError(
      `Only http and https URLs can be summarized; "${url.protocol.replace(/:$/, '')}" URLs are not supported.`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidUrlError(
      'URLs with a user name or password are not accepted; remove the "user:password@" part.',
    );
  }
  if (url.hostname === '') throw new InvalidUrlError('The URL has no host name.');

  const hostname = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
  if (hostname === '' || hostname.endsWith('.'))
    throw new InvalidUrlError('The URL has an invalid host name.');
  const host = url.port === '' ? hostname : `${hostname}:${url.port}`;
  const path = upperCaseEscapes(url.pathname === '' ? '/' : url.pathname);
  const query = canonicalQuery(url.search);
  return `${url.protocol}//${host}${path}${query === '' ? '' : `?${query}`}`;
}

function canonicalQuery(search: string): string {
  if (search.length <= 1) return '';
  const pairs = search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => ({ pair: upperCaseEscapes(pair), name: decodeName(pair) }))
    .filter(({ name }) => !isTrackingParameter(name));
  // Array.prototype.sort is stable, so `a=2&a=1` keeps its order (a server may read repeated names as a list).
  pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return pairs.map(({ pair }) => pair).join('&');
}

function decodeName(pair: string): string {
  const equals = pair.indexOf('=');
  const rawName = (equals === -1 ? pair : pair.slice(0, equals)).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(rawName);
  } catch {
    // A malformed escape: compare by the raw text rather than refusing a URL browsers open.
    return rawName;
  }
}

function upperCaseEscapes(text: string): string {
  return text.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
