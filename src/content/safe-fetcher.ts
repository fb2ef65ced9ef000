import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  type Inflate,
  type InflateRaw,
} from 'node:zlib';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import { withDeadline } from '../core/runtime/with-deadline';
import { classifyAddress } from './address-classifier';
import { ContentFetchError, InvalidUrlError } from './content-errors';
import { canonicalizeUrl } from './url-canonicalizer';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to every address it has; replaceable so tests can map invented names to loopback. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface SafeFetcherOptions {
  /**
   * DANGEROUS: `host:port` pairs fetched even when they resolve to non-public addresses (tests, private deployments).
   * An array, or the comma-separated `FETCH_ALLOWED_HOSTS` string. Matched after URL normalization, so `127.1:8080`
   * and `127.0.0.1:8080` are the same entry; the port must be given.
   */
  readonly allowedHosts?: readonly string[] | string;
  /** TCP (and TLS) connect timeout per connection, also the DNS lookup timeout. */
  readonly connectTimeoutMs: number;
  /** Whole fetch: DNS, connects, every redirect, headers and body. */
  readonly timeoutMs: number;
  /** Largest body accepted, counted both on the wire and after decompression. */
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly userAgent?: string;
  readonly resolve?: Resolver;
}

/** A page fetched and decoded to text, not yet extracted. */
export interface FetchedDocument {
  /** Canonical form of the URL asked for. */
  readonly url: string;
  /** Canonical form of the URL that answered, after redirects. */
  readonly finalUrl: string;
  readonly status: number;
  /** Media type without parameters: `text/html`, `application/xhtml+xml` or `text/plain`. */
  readonly mediaType: SupportedMediaType;
  /** WHATWG encoding name the body was decoded with. */
  readonly charset: string;
  readonly body: string;
}

export type SupportedMediaType = 'text/html' | 'application/xhtml+xml' | 'text/plain';
const SUPPORTED_MEDIA_TYPES: ReadonlySet<string> = new Set<SupportedMediaType>([
  'text/html',
  'application/xhtml+xml',
  'text/plain',
]);

export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (compatible; SmartCacheAI/0.1; +https://github.com/smartcache-ai)';
const ACCEPT = 'text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8';
// Exactly the encodings decodeBody() understands; anything else in Content-Encoding is refused.
const ACCEPT_ENCODING = 'gzip, deflate, br';
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
// Bodies of redirects and error pages are read and discarded only so the connection can be reused; past this we
// close the connection instead.
const DISCARD_LIMIT = 64 * 1024;
// How many Content-Encoding layers we undo; real servers use one, more is a decompression-bomb tactic.
const MAX_ENCODING_LAYERS = 2;
// The HTML spec prescans 1024 bytes for <meta charset>; real pages sometimes put it later, after long <head> scripts.
const META_PRESCAN_BYTES = 4096;
const DECODER_INPUT_PIECE = 1024;

/** Thrown by the connector when a host resolves to an address we refuse; turned into a ContentFetchError. */
class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';

  constructor(
    readonly hostname: string,
    readonly port: number,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${hostname}:${port} resolves to ${address} (${range}), which is not a public address`);
  }
}

/**
 * Fetches a web page without letting the URL be turned against our own network (SSRF).
 *
 * The check and the connection cannot disagree: the undici connector itself resolves the host (once), refuses the
 * connection if ANY resolved address is not public (unless `host:port` is allow-listed), and then connects to the
 * checked IP (TLS still verifies the certificate against the host name via `servername`). There is no second DNS
 * lookup a rebinding attacker could answer differently, and IP literals in any spelling go through the same check
 * because WHATWG URL parsing has already turned `2130706433`, `0x7f000001`, `0177.0.0.1` and `127.1` into
 * `127.0.0.1`. Redirects are followed by hand, each hop canonicalized and going through the same connector.
 *
 * We use undici's `request` and decompress ourselves rather than `fetch`: `fetch` hides which bytes were on the wire,
 * silently accepts whatever encodings it knows, and reports body errors as a bare `TypeError: terminated`, while here
 * we count wire and decoded bytes separately (a 10 kB gzip bomb stops at `maxBytes` decoded bytes, decoded chunk by
 * chunk, never buffered whole), refuse encodings we did not ask for, and keep the error codes that decide retries.
 */
export class SafeFetcher {
  private readonly agent: Agent;
  private readonly allowed: ReadonlySet<string>;
  private readonly resolve: Resolver;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: SafeFetcherOptions) {
    this.allowed = parseAllowedHosts(options.allowedHosts ?? []);
    this.resolve = options.resolve ?? defaultResolver;
    this.headers = {
      'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
      accept: ACCEPT,
      'accept-encoding': ACCEPT_ENCODING,
      'accept-language': 'en;q=0.9, *;q=0.5',
    };
    const connect = buildConnector({ timeout: options.connectTimeoutMs });
    this.agent = new Agent({
      connect: (connectOptions, callback) => {
        const https = connectOptions.protocol === 'https:';
        const port = connectOptions.port === '' ? (https ? 443 : 80) : Number(connectOptions.port);
        this.checkedAddress(connectOptions.hostname, port).then(
          (address) =>
            connect(
              {
                ...connectOptions,
                hostname: address,
                // SNI and certificate checks must use the name, not the IP we pinned; IP literals send no SNI.
                servername:
                  https && isIP(connectOptions.hostname) === 0 ? connectOptions.hostname : undefined,
              },
              callback,
            ),
          (error: Error) => callback(error, null),
        );
      },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      // A server can advertise keep-alive forever; we talk to any one site rarely.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 10_000,
    });
  }

  /** Closes pooled connections; call on shutdown. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /**
   * Fetches `url` (canonicalized first), following at most `maxRedirects` redirects.
   *
   * @throws ContentFetchError for every failure; `retryable` says whether another attempt may succeed.
   */
  async fetch(url: string, signal?: AbortSignal): Promise<FetchedDocument> {
    const requested = canonicalOrFail(url);
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    try {
      return await this.follow(requested, combined);
    } catch (error) {
      throw this.toContentError(error, deadline, signal);
    }
  }

  private async follow(requested: string, signal: AbortSignal): Promise<FetchedDocument> {
    let current = requested;
    for (let redirects = 0; ; redirects++) {
      const response = await request(current, {
        method: 'GET',
        headers: this.headers,
        dispatcher: this.agent,
        signal,
      });
      const { statusCode } = response;
      if (REDIRECT_STATUSES.has(statusCode)) {
        const location = header(response.headers, 'location');
        await discard(response.body, signal);
        if (location === undefined) {
          throw new ContentFetchError(
            `The page answered ${statusCode} without saying where to.`,
            'http-status',
            false,
            {
              status: statusCode,
            },
          );
        }
        if (redirects >= this.options.maxRedirects) {
          throw new ContentFetchError(
            `The page redirected more than ${this.options.maxRedirects} times.`,
            'too-many-redirects',
            false,
            { status: statusCode },
          );
        }
        current = canonicalOrFail(
          resolveLocation(location, current),
          'The page redirected to a URL that cannot be fetched',
        );
        continue;
      }
      if (statusCode < 200 || statusCode >= 300) {
        await discard(response.body, signal);
        throw httpStatusError(statusCode);
      }
      return await this.readDocument(requested, current, response, signal);
    }
  }

  private async readDocument(
    requested: string,
    finalUrl: string,
    response: Dispatcher.ResponseData,
    signal: AbortSignal,
  ): Promise<FetchedDocument> {
    const { mediaType, charset: headerCharset } = parseContentType(header(response.headers, 'content-type'));
    if (mediaType !== undefined && !SUPPORTED_MEDIA_TYPES.has(mediaType)) {
      abandon(response.body);
      throw new ContentFetchError(
        `Unsupported content type ${mediaType}: only web pages (HTML) and plain text can be summarized.`,
        'unsupported-content-type',
        false,
      );
    }
    const declaredLength = Number(header(response.headers, 'content-length'));
    if (Number.isFinite(declaredLength) && declaredLength > this.options.maxBytes) {
      abandon(response.body);
      throw this.tooLarge();
    }
    const bytes = await this.readBody(response.body, header(response.headers, 'content-encoding'), signal);
    const type = mediaType ?? sniffMediaType(bytes);
    if (type === undefined) {
      throw new ContentFetchError(
        'The page did not say what it is (no content type) and does not look like HTML.',
        'unsupported-content-type',
        false,
      );
    }
    const charset = detectCharset(bytes, headerCharset, type !== 'text/plain');
    return {
      url: requested,
      finalUrl,
      status: response.statusCode,
      mediaType: type as SupportedMediaType,
      charset,
      body: decode(bytes, charset),
    };
  }

  /** Reads the body, undoing Content-Encoding, and stops as soon as wire or decoded bytes pass `maxBytes`. */
  private async readBody(
    body: Readable,
    contentEncoding: string | undefined,
    signal: AbortSignal,
  ): Promise<Buffer> {
    const max = this.options.maxBytes;
    const encodings = (contentEncoding ?? '')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter((e) => e !== '' && e !== 'identity');
    if (encodings.length > MAX_ENCODING_LAYERS) {
      abandon(body);
      throw new ContentFetchError(
        `The page uses too many content encodings (${contentEncoding}).`,
        'network',
        false,
      );
    }
    // Content-Encoding lists encodings in the order they were applied; undo them last first.
    const decoders = encodings.reverse().map((encoding) => decoderFor(encoding));
    if (decoders.some((d) => d === undefined)) {
      abandon(body);
      throw new ContentFetchError(
        `The page uses an unsupported content encoding (${contentEncoding}).`,
        'network',
        false,
      );
    }
    let wireBytes = 0;
    const countWire = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        wireBytes += chunk.length;
        if (wireBytes > max) throw new TooLargeSignal();
        // zlib inflates a whole input chunk before the consumer below can count the output; feeding it small
        // pieces caps what one piece can expand to (~1 MB for 1 kB of a gzip bomb) before we stop.
        const piece = decoders.length === 0 ? chunk.length : DECODER_INPUT_PIECE;
        for (let offset = 0; offset < chunk.length; offset += piece) {
          yield chunk.subarray(offset, offset + piece);
        }
      }
    };
    const chunks: Buffer[] = [];
    let decodedBytes = 0;
    const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
      for await (const chunk of source) {
        decodedBytes += chunk.length;
        if (decodedBytes > max) throw new TooLargeSignal();
        chunks.push(chunk);
      }
    };
    try {
      // pipeline() destroys every stage on the first error, so a refused body also closes the socket.
      const stages = [body, countWire, ...(decoders as DecoderStage[]).map((make) => make()), collect];
      // The typings cannot express a variable number of middle stages; the runtime takes streams and generators.
      await (pipeline as unknown as (stages: unknown[], options: { signal: AbortSignal }) => Promise<void>)(
        stages,
        {
          signal,
        },
      );
    } catch (error) {
      if (error instanceof TooLargeSignal) throw this.tooLarge();
      throw error;
    }
    return Buffer.concat(chunks, decodedBytes);
  }

  private tooLarge(): ContentFetchError {
    const megabytes = (this.options.maxBytes / 1_048_576).toFixed(1);
    return new ContentFetchError(`The page is too large (more than ${megabytes} MB).`, 'too-large', false);
  }

  /** Resolves `hostname` once and returns the address to connect to, or throws if it is not allowed. */
  private async checkedAddress(hostname: string, port: number): Promise<string> {
    const addresses = await withDeadline(this.resolveAll(hostname), this.options.connectTimeoutMs, () =>
      Object.assign(new Error(`DNS lookup of ${hostname} timed out`), { code: 'EAI_AGAIN' }),
    );
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND', hostname });
    }
    if (!this.allowed.has(hostKey(hostname, port))) {
      // One bad address is enough: a name that also resolves to an internal address is an attack or a
      // misconfiguration, and the OS could pick any of them on a later connection.
      for (const { address } of addresses) {
        const verdict = classifyAddress(address);
        if (!verdict.public) throw new BlockedAddressError(hostname, port, address, verdict.range);
      }
    }
    return addresses[0].address;
  }

  private async resolveAll(hostname: string): Promise<readonly ResolvedAddress[]> {
    const family = isIP(hostname);
    if (family !== 0) return [{ address: hostname, family }];
    return this.resolve(hostname);
  }

  private toContentError(
    error: unknown,
    deadline: AbortSignal,
    signal: AbortSignal | undefined,
  ): ContentFetchError {
    if (error instanceof ContentFetchError) return error;
    if (signal?.aborted === true) {
      return new ContentFetchError('Fetching the page was cancelled.', 'aborted', true, { cause: error });
    }
    if (deadline.aborted) {
      return new ContentFetchError(
        `The page took longer than ${formatSeconds(this.options.timeoutMs)} to download.`,
        'timeout',
        true,
        { cause: error },
      );
    }
    return classifyNetworkError(error);
  }
}

type DecoderStage = () => Transform;

function decoderFor(encoding: string): DecoderStage | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return () => createGunzip();
    case 'br':
      return () => createBrotliDecompress();
    case 'deflate':
      return () => new AutoInflate();
    default:
      return undefined;
  }
}

/**
 * HTTP "deflate" is meant to be zlib-wrapped (RFC 9110), but some servers send raw deflate; browsers accept both,
 * so we look at the first two bytes (a zlib header is CMF=x8 with (CMF*256+FLG) % 31 == 0) and pick the inflater.
 */
class AutoInflate extends Transform {
  private inner: Inflate | InflateRaw | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.inner === undefined) {
      const zlibWrapped =
        chunk.length >= 2 && (chunk[0] & 0x0f) === 8 && ((chunk[0] << 8) | chunk[1]) % 31 === 0;
      const inner = zlibWrapped ? createInflate() : createInflateRaw();
      inner.on('data', (data: Buffer) => this.push(data));
      inner.on('error', (error) => this.destroy(error));
      this.inner = inner;
    }
    this.inner.write(chunk, () => callback());
  }

  override _flush(callback: TransformCallback): void {
    if (this.inner === undefined) return callback();
    this.inner.once('end', () => callback());
    this.inner.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner?.destroy();
    callback(error);
  }
}

/** Parses FETCH_ALLOWED_HOSTS; throws a message naming the bad entry (checked once at start-up, too). */
export function parseAllowedHosts(input: readonly string[] | string): ReadonlySet<string> {
  const entries = (typeof input === 'string' ? input.split(',') : input)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const keys = new Set<string>();
  for (const entry of entries) {
    let url: URL;
    try {
      url = new URL(`http://${entry}`);
    } catch (error) {
      throw new Error(`FETCH_ALLOWED_HOSTS: "${entry}" is not a host:port pair`, { cause: error });
    }
    if (
      url.pathname !== '/' ||
      url.search !== '' ||
      url.hash !== '' ||
      url.username !== '' ||
      url.password !== ''
    ) {
      throw new Error(`FETCH_ALLOWED_HOSTS: "${entry}" must be only host:port`);
    }
    if (url.port === '' && !/:80$/.test(entry)) {
      throw new Error(`FETCH_ALLOWED_HOSTS: "${entry}" needs a port (host:port)`);
    }
    keys.add(hostKey(url.hostname, url.port === '' ? 80 : Number(url.port)));
  }
  return keys;
}

function hostKey(hostname: string, port: number): string {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return `${bare.toLowerCase()}|${port}`;
}

const defaultResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

class TooLargeSignal extends Error {}

/** Canonicalizes `url`, or fails as `invalid-url` with the canonicalizer's message (after `context`, if given). */
function canonicalOrFail(url: string, context?: string): string {
  try {
    return canonicalizeUrl(url);
  } catch (error) {
    if (error instanceof InvalidUrlError) {
      return failInvalid(context === undefined ? error.message : `${context}: ${error.message}`, error);
    }
    throw error;
  }
}

function failInvalid(message: string, cause: unknown): never {
  throw new ContentFetchError(message, 'invalid-url', false, { cause });
}

function resolveLocation(location: string, base: string): string {
  try {
    return new URL(location, base).href;
  } catch (error) {
    return failInvalid('The page redirected to an invalid URL.', error);
  }
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Closes a body we will not read; undici reports that as an error event, which nobody needs to hear. */
function abandon(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function discard(body: Dispatcher.ResponseData['body'], signal: AbortSignal): Promise<void> {
  try {
    await body.dump({ limit: DISCARD_LIMIT, signal });
  } catch {
    // The body of a redirect or error page does not matter; a failure here only costs the pooled connection.
  }
}

function httpStatusError(status: number): ContentFetchError {
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

function parseContentType(value: string | undefined): { mediaType?: string; charset?: string } {
  if (value === undefined || value.trim() === '') return {};
  const [type, ...parameters] = value.split(';');
  const mediaType = type.trim().toLowerCase();
  let charset: string | undefined;
  for (const parameter of parameters.slice(0, 16)) {
    const match = /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(parameter);
    if (match !== null) charset = match[1];
  }
  return { mediaType, charset };
}

function sniffMediaType(bytes: Buffer): SupportedMediaType | undefined {
  const head = bytes.subarray(0, 1024).toString('latin1').trimStart().toLowerCase();
  return /^(\ufeff|\xef\xbb\xbf)?<(!doctype html|html|head|body|!--)/.test(head) ? 'text/html' : undefined;
}

/**
 * The encoding to decode with: a byte-order mark wins (as in browsers), then the Content-Type charset, then for HTML
 * a `<meta charset>` or `<meta http-equiv="Content-Type">` in the first bytes; with nothing declared, UTF-8 if the
 * bytes are valid UTF-8, else windows-1252 (the browsers' fallback for Western pages).
 */
export function detectCharset(bytes: Uint8Array, headerCharset: string | undefined, html: boolean): string {
  const bom = bomEncoding(bytes);
  if (bom !== undefined) return bom;
  const fromHeader = supportedEncoding(headerCharset);
  if (fromHeader !== undefined) return fromHeader;
  if (html) {
    const head = Buffer.from(
      bytes.buffer,
      bytes.byteOffset,
      Math.min(bytes.length, META_PRESCAN_BYTES),
    ).toString('latin1');
    const match = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_.:-]+)/i.exec(head);
    const fromMeta = supportedEncoding(match?.[1]);
    // A page cannot be UTF-16 if we could read its <meta> as ASCII; the HTML spec says take UTF-8 then.
    if (fromMeta !== undefined) return fromMeta.startsWith('utf-16') ? 'utf-8' : fromMeta;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

function bomEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function supportedEncoding(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    // An unknown label: fall through to the next source, as browsers do.
    return undefined;
  }
}

function decode(bytes: Uint8Array, charset: string): string {
  if (charset === 'windows-1252') return decodeWindows1252(bytes);
  // TextDecoder strips a BOM matching the encoding; lone bad bytes become U+FFFD rather than failing the page.
  return new TextDecoder(charset).decode(bytes);
}

// windows-1252's 0x80-0x9F (curly quotes, dashes, €, ™...); undefined slots map to the C1 control, as WHATWG says.
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d,
  0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x9d, 0x017e, 0x0178,
];

/**
 * Node 20's TextDecoder takes the WHATWG label `windows-1252` (which `iso-8859-1`, `latin1` and `ascii` also map to)
 * but decodes it as ISO-8859-1, turning “smart quotes” into invisible C1 controls; so we decode it ourselves.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  const parts: string[] = [];
  // In slices: String.fromCharCode(...) of a multi-megabyte page would overflow the argument limit.
  for (let start = 0; start < bytes.length; start += 8192) {
    const slice = bytes.subarray(start, start + 8192);
    const codes = new Array<number>(slice.length);
    for (let i = 0; i < slice.length; i++) {
      const byte = slice[i];
      codes[i] = byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_HIGH[byte - 0x80] : byte;
    }
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}

function formatSeconds(ms: number): string {
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
function classifyNetworkError(error: unknown): ContentFetchError {
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

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  // Bounded: cause chains are short, but a cyclic one must not spin.
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}
