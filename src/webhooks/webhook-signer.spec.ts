import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { WebhookSigner } from './webhook-signer';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({
  type: 'job.completed',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { a: 'é' },
});

describe('WebhookSigner', () => {
  it('signs so that the Standard Webhooks library verifies the body, id and timestamp', () => {
    const headers = new WebhookSigner(secret).sign('msg_1', body);
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('is the HMAC-SHA256 of "id.timestamp.body" with the decoded key (the specification, checked by hand)', async () => {
    const at = new Date('2026-03-04T05:06:07.890Z');
    const headers = new WebhookSigner(secret).sign('msg_2', body, at);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(`msg_2.${headers['webhook-timestamp']}.${body}`)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('fails verification for another secret, another id, a changed body or a stale timestamp', () => {
    const signer = new WebhookSigner(secret);
    const headers = { ...signer.sign('msg_3', body) };
    const other = new Webhook(`whsec_${randomBytes(32).toString('base64')}`);
    expect(() => other.verify(body, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_4' })).toThrow(
      WebhookVerificationError,
    );
    expect(() => new Webhook(secret).verify(body.replace('é', 'e'), headers)).toThrow(
      WebhookVerificationError,
    );
    const stale = { ...signer.sign('msg_3', body, new Date(Date.now() - 10 * 60_000)) };
    expect(() => new Webhook(secret).verify(body, stale)).toThrow(/too old/);
  });
});
