import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one delivery attempt. */
export interface WebhookSignatureHeaders {
  readonly 'webhook-id': string;
  /** Unix seconds of the attempt (receivers refuse stale ones, which is what stops replays). */
  readonly 'webhook-timestamp': string;
  /** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
  readonly 'webhook-signature': string;
}

/**
 * Signs deliveries as the Standard Webhooks specification says, with its reference library (`standardwebhooks`,
 * the one receivers verify with), so sender and receiver cannot disagree on the signed content or the encoding.
 */
export class WebhookSigner {
  private readonly webhook: Webhook;

  /** @param secret WEBHOOK_SECRET, `whsec_…` (validated at start-up). */
  constructor(secret: string) {
    this.webhook = new Webhook(secret);
  }

  /** The headers of one attempt of delivery `id`, sending `body` (the exact bytes posted) at `at`. */
  sign(id: string, body: string, at: Date = new Date()): WebhookSignatureHeaders {
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': this.webhook.sign(id, at, body),
    };
  }
}
