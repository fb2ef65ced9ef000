import { request, type Agent, type Dispatcher } from 'undici';
import { BlockedAddressError, createSafeAgent, type Resolver } from '../content/safe-connector';
import type { WebhookEvent } from './webhook-delivery';
import { WebhookSigner } from './webhook-signer';
import { causeChain } from '../core/runtime/cause-chain';

export interface WebhookSenderOptions {
  /** WEBHOOK_SECRET (`whsec_…`). */
  readonly secret: string;
  /** FETCH_ALLOWED_HOSTS: the only non-public `host:port` pairs a delivery may connect to. */
  readonly allowedHosts: string;
  /** TCP (and TLS) connect timeout, also the DNS lookup timeout. */
  readonly connectTimeoutMs: number;
  /** Whole attempt: DNS, connect, answer headers and body. */
  readonly timeoutMs: number;
  readonly userAgent?: string;
  /** Replaces DNS (tests). */
  readonly resolve?: Resolver;
}

/** One delivery attempt to make. */
export interface WebhookAttempt {
  /** The delivery's `webhook-id`, the same on every attempt. */
  readonly id: string;
  readonly url: string;
  readonly event: WebhookEvent;
}

/** A failed attempt; `retryable` false means no later attempt can succeed (the address is refused). */
export class WebhookSendError extends Error {
  override readonly name = 'WebhookSendError';

  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const WEBHOOK_USER_AGENT = 'SmartCacheAI-Webhooks/0.1 (+https://github.com/smartcache-ai)';
/** Answer bodies are read (for connection reuse) up to this, then the connection is dropped; never looked at. */
const DISCARD_LIMIT = 64 * 1024;

/**
 * Sends one signed delivery attempt. Connections go through the SSRF-safe connector of fetched pages
 * ({@link createSafeAgent}): a callback host that resolves to a private, loopback or reserved address is refused unless
 * `host:port` is in FETCH_ALLOWED_HOSTS. Redirects are not followed (undici's `request` never follows them): a 3xx is a
 * failed attempt, because following one would send the signed body to an address nobody registered.
 */
export class WebhookSender {
  private readonly agent: Agent;
  private readonly signer: WebhookSigner;
  private readonly userAgent: string;

  constructor(private readonly options: WebhookSenderOptions) {
    this.agent = createSafeAgent({
      allowedHosts: options.allowedHosts,
      connectTimeoutMs: options.connectTimeoutMs,
      timeoutMs: options.timeoutMs,
      resolve: options.resolve,
    });
    this.signer = new WebhookSigner(options.secret);
    this.userAgent = options.userAgent ?? WEBHOOK_USER_AGENT;
  }

  /**
   * POSTs the event; resolves with the receiver's 2xx status.
   *
   * @throws WebhookSendError for a non-2xx answer, a timeout, a connection error or a refused address.
   */
  async send(attempt: WebhookAttempt, signal?: AbortSignal): Promise<number> {
    const body = JSON.stringify(attempt.event);
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(attempt.url, {
        method: 'POST',
        headers: {
          ...this.signer.sign(attempt.id, body),
          'content-type': 'application/json',
          'user-agent': this.userAgent,
        },
        body,
        dispatcher: this.agent,
        signal: combined,
      });
    } catch (error) {
      throw this.attemptError(error, deadline, signal);
    }
    const { statusCode } = response;
    const location = response.headers.location;
    await response.body.dump({ limit: DISCARD_LIMIT }).catch(() => undefined);
    if (statusCode >= 200 && statusCode < 300) return statusCode;
    if (statusCode >= 300 && statusCode < 400) {
      throw new WebhookSendError(
        `the receiver answered HTTP ${statusCode} (a redirect${
          typeof location === 'string' ? ` to ${location}` : ''
        }); redirects are not followed`,
        true,
      );
    }
    throw new WebhookSendError(`the receiver answered HTTP ${statusCode}`, true);
  }

  /** Closes pooled connections; call on shutdown. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private attemptError(error: unknown, deadline: AbortSignal, signal?: AbortSignal): WebhookSendError {
    const blocked = causeChain(error).find((e): e is BlockedAddressError => e instanceof BlockedAddressError);
    if (blocked) {
      // The resolved address stays in the cause (logs); the message is what the failed delivery shows.
      return new WebhookSendError(
        `${blocked.hostname}:${blocked.port} is a private, loopback or reserved address ` +
          '(not in FETCH_ALLOWED_HOSTS); webhooks are only delivered to public addresses',
        false,
        { cause: error },
      );
    }
    if (signal?.aborted) return new WebhookSendError('the attempt was cancelled', true, { cause: error });
    if (deadline.aborted) {
      return new WebhookSendError(`no answer within ${this.options.timeoutMs} ms`, true, { cause: error });
    }
    const code = causeChain(error)
      .map((e) => (e as { code?: unknown }).code)
      .find((c): c is string => typeof c === 'string');
    const reason = error instanceof Error ? error.message : String(error);
    return new WebhookSendError(
      `could not reach the receiver (${code ?? 'network error'}: ${reason})`,
      true,
      {
        cause: error,
      },
    );
  }
}
