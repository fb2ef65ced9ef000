import { request, type Agent, type Dispatcher } from 'undici';
import { abandon, BodyTooLargeError, readBody } from './body-reader';
import {
  decode,
  detectCharset,
  parseContentType,
  sniffMediaType,
  SUPPORTED_MEDIA_TYPES,
  type SupportedMediaType,
} from './charset';
import { ContentFetchError, InvalidUrlError } from './content-errors';
import { classifyNetworkError, formatSeconds, httpStatusError } from './fetch-errors';
import { createSafeAgent, type SafeAgentOptions } from './safe-connector';
import { canonicalizeUrl } from './url-canonicalizer';

export interface SafeFetcherOptions extends SafeAgentOptions {
  /** Whole fetch: DNS, connects, every redirect, headers and body. */
  readonly timeoutMs: number;
  /** Largest body accepted, counted both on the wire and after decompression. */
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly userAgent?: string;
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
export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (compatible; SmartCacheAI/0.1; +https://github.com/smartcache-ai)';
const ACCEPT = 'text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8';
// Exactly the encodings readBody() understands; anything else in Content-Encoding is refused.
const ACCEPT_ENCODING = 'gzip, deflate, br';
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
// Bodies of redirects and error pages are read and discarded only so the connection can be reused; past this we
// close the connection instead.
const DISCARD_LIMIT = 64 * 1024;

/**
 * Fetches a web page without letting the URL be turned against our own network (SSRF): every connection goes
 * through {@link createSafeAgent}, and redirects are followed by hand, each hop canonicalized and going through the
 * same connector.
 *
 * We use undici's `request` and decompress ourselves (readBody) rather than `fetch`: `fetch` hides which bytes were on
 * the wire, silently accepts whatever encodings it knows, and reports body errors as a bare `TypeError: terminated`,
 * while here we count wire and decoded bytes separately, refuse encodings we did not ask for, and keep the error codes
 * that decide retries.
 */
export class SafeFetcher {
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: SafeFetcherOptions) {
    this.agent = createSafeAgent(options);
    this.headers = {
      'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
      accept: ACCEPT,
      'accept-encoding': ACCEPT_ENCODING,
      'accept-language': 'en;q=0.9, *;q=0.5',
    };
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
    const bytes = await readBody(
      response.body,
      header(response.headers, 'content-encoding'),
      this.options.maxBytes,
      signal,
    ).catch((error: unknown) => {
      throw error instanceof BodyTooLargeError ? this.tooLarge() : error;
    });
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

  private tooLarge(): ContentFetchError {
    const megabytes = (this.options.maxBytes / 1_048_576).toFixed(1);
    return new ContentFetchError(`The page is too large (more than ${megabytes} MB).`, 'too-large', false);
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

async function discard(body: Dispatcher.ResponseData['body'], signal: AbortSignal): Promise<void> {
  try {
    await body.dump({ limit: DISCARD_LIMIT, signal });
  } catch {
    // The body of a redirect or error page does not matter; a failure here only costs the pooled connection.
  }
}
