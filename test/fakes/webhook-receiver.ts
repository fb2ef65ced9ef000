import type { IncomingMessage } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { FakeHttpServer, type FakeHttpAnswer } from './fake-http-server';

/** The JSON body of a delivery, as the receiver verified and parsed it. */
export interface WebhookPayload {
  readonly type: string;
  readonly timestamp: string;
  // Tests read the fields of the status they check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly data: any;
}

/** One request the receiver got. */
export interface ReceivedWebhook {
  readonly path: string;
  readonly method: string;
  /** Lowercase names. */
  readonly headers: Record<string, string>;
  readonly rawBody: string;
  /** The payload when the signature verified with the receiver's secret, else undefined. */
  readonly payload: WebhookPayload | undefined;
  /** Why verification failed (the standardwebhooks library's message). */
  readonly verifyError: string | undefined;
  /** What the receiver answered. */
  readonly answeredStatus: number;
}

const ACCEPTED: FakeHttpAnswer = { status: 204, body: '' };

/**
 * A webhook receiver on loopback, as a customer would write one: it verifies every request with the
 * `standardwebhooks` package (`Webhook.verify`: signature over `id.timestamp.body`, timestamp tolerance) and records
 * it. Answers are scripted per path (a 500 first, a redirect, …); unscripted requests get 204.
 */
export class WebhookReceiver extends FakeHttpServer {
  readonly received: ReceivedWebhook[] = [];
  private readonly scripted = new Map<string, FakeHttpAnswer[]>();
  private readonly fixed = new Map<string, FakeHttpAnswer>();
  private readonly webhook: Webhook;

  constructor(secret: string) {
    super();
    this.webhook = new Webhook(secret);
  }

  /** `host:port`, e.g. for FETCH_ALLOWED_HOSTS. */
  get hostPort(): string {
    return this.origin.replace(/^http:\/\//, '');
  }

  url(path: string): string {
    return `${this.origin}${path}`;
  }

  /** The next requests to `path` get these answers, in order; later ones the {@link always} answer or 204. */
  script(path: string, ...answers: FakeHttpAnswer[]): this {
    this.scripted.set(path, [...(this.scripted.get(path) ?? []), ...answers]);
    return this;
  }

  /** Every request to `path` (once its script is used up) gets this answer. */
  always(path: string, answer: FakeHttpAnswer): this {
    this.fixed.set(path, answer);
    return this;
  }

  /** The requests to `path`, in arrival order. */
  on(path: string): ReceivedWebhook[] {
    return this.received.filter((request) => request.path === path);
  }

  protected answer(request: IncomingMessage, body: string): FakeHttpAnswer {
    const path = request.url ?? '/';
    const answer = this.scripted.get(path)?.shift() ?? this.fixed.get(path) ?? ACCEPTED;
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(', ') : (value ?? ''),
      ]),
    );
    let payload: WebhookPayload | undefined;
    let verifyError: string | undefined;
    try {
      payload = this.webhook.verify(body, headers) as WebhookPayload;
    } catch (error) {
      verifyError = (error as Error).message;
    }
    this.received.push({
      path,
      method: request.method ?? '',
      headers,
      rawBody: body,
      payload,
      verifyError,
      answeredStatus: answer.status,
    });
    return answer;
  }
}
