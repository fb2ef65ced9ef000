import { describe, expect, it } from 'vitest';
import { AdminAccessRule } from './admin-access-rule';

const TOKEN = 'correct-horse-battery-staple';
const WITH_TOKEN = `Bearer ${TOKEN}`;

describe('AdminAccessRule', () => {
  it('without ADMIN_TOKEN and with API keys off, lets everyone through', () => {
    const rule = new AdminAccessRule(undefined, false);
    expect(rule.refusal(undefined)).toBeUndefined();
    expect(rule.refusal('Bearer anything')).toBeUndefined();
  });

  it('with ADMIN_TOKEN, lets only the token through and asks for it (the Basic challenge)', () => {
    for (const apiKeysRequired of [false, true]) {
      const rule = new AdminAccessRule(TOKEN, apiKeysRequired);
      expect(rule.refusal(WITH_TOKEN)).toBeUndefined();
      expect(rule.refusal(undefined)).toMatchObject({
        challenge: true,
        detail: expect.stringMatching(/admin token/),
      });
      expect(rule.refusal('Bearer wrong-token-wrong-token')).toMatchObject({ challenge: true });
    }
  });

  it('with API keys on and no ADMIN_TOKEN, lets nobody through, without a challenge no token could answer', () => {
    const rule = new AdminAccessRule(undefined, true);
    expect(rule.refusal(undefined)).toEqual({
      challenge: false,
      detail: expect.stringMatching(/API_KEYS_REQUIRED.*no ADMIN_TOKEN/),
    });
    expect(rule.refusal('Bearer anything')).toMatchObject({ challenge: false });
  });

  it('keeps routes that were open before keys existed open while keys are off, whatever ADMIN_TOKEN', () => {
    expect(new AdminAccessRule(TOKEN, false).refusal(undefined, { onlyWithApiKeys: true })).toBeUndefined();
    expect(
      new AdminAccessRule(undefined, false).refusal(undefined, { onlyWithApiKeys: true }),
    ).toBeUndefined();
    expect(new AdminAccessRule(TOKEN, true).refusal(undefined, { onlyWithApiKeys: true })).toMatchObject({
      challenge: true,
    });
    expect(new AdminAccessRule(TOKEN, true).refusal(WITH_TOKEN, { onlyWithApiKeys: true })).toBeUndefined();
    expect(new AdminAccessRule(undefined, true).refusal(WITH_TOKEN, { onlyWithApiKeys: true })).toMatchObject(
      {
        challenge: false,
      },
    );
  });
});
