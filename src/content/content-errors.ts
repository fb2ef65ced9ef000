/**
 * A URL a user submitted that we will not fetch as given (bad syntax, a scheme other than http/https, credentials).
 * The API answers 400 with `message`, so it is written for the person who typed the URL.
 */
export class InvalidUrlError extends Error {
  override readonly name = 'InvalidUrlError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Why fetching or extracting failed; lets callers, logs and metrics group failures without parsing messages. */
export type ContentFailureKind =
  | 'invalid-url'
  | 'blocked-address'
  | 'dns'
  | 'connect'
  | 'timeout'
  | 'aborted'
  | 'http-status'
  | 'too-many-redirects'
  | 'unsupported-content-type'
  | 'too-large'
  | 'too-little-text'
  | 'too-slow'
  | 'network';

/**
 * The one error the content module throws for a URL it could not turn into article text.
 *
 * `retryable` tells the worker whether another attempt can succeed (timeouts, resets, 5xx, 429) or the job must fail
 * at once (4xx, blocked address, unsupported type, too large, too little text). `message` is shown to the user, so it
 * never contains stack traces or internal addresses beyond the host the user submitted; `cause` keeps the original.
 */
export class ContentFetchError extends Error {
  override readonly name = 'ContentFetchError';

  constructor(
    message: string,
    readonly kind: ContentFailureKind,
    readonly retryable: boolean,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }

  /** HTTP status of the origin's answer, when the failure is one. */
  readonly status: number | undefined;
}
