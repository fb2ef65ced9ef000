import { describe, expect, it } from 'vitest';
import { carriesAdminToken } from './admin-credentials';

const TOKEN = 'correct-horse-battery-staple';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

describe('carriesAdminToken', () => {
  it('accepts the token as a Bearer token, whatever the case of the scheme', () => {
    expect(carriesAdminToken(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(carriesAdminToken(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it('accepts HTTP Basic with the token as the password and any user name', () => {
    expect(carriesAdminToken(basic('admin', TOKEN), TOKEN)).toBe(true);
    expect(carriesAdminToken(basic('', TOKEN), TOKEN)).toBe(true);
    // Only the first colon separates the user name: a password may hold colons.
    expect(carriesAdminToken(basic('ops', 'a:b:c-long-token'), 'a:b:c-long-token')).toBe(true);
  });

  it('refuses a missing, wrong or misplaced token', () => {
    expect(carriesAdminToken(undefined, TOKEN)).toBe(false);
    expect(carriesAdminToken('', TOKEN)).toBe(false);
    expect(carriesAdminToken('Bearer', TOKEN)).toBe(false);
    expect(carriesAdminToken(`Bearer ${TOKEN}x`, TOKEN)).toBe(false);
    expect(carriesAdminToken(`Bearer ${TOKEN.slice(1)}`, TOKEN)).toBe(false);
    expect(carriesAdminToken(`Token ${TOKEN}`, TOKEN)).toBe(false);
    expect(carriesAdminToken(TOKEN, TOKEN)).toBe(false);
    expect(carriesAdminToken(basic(TOKEN, 'wrong'), TOKEN)).toBe(false);
    expect(carriesAdminToken(`Basic ${Buffer.from(TOKEN).toString('base64')}`, TOKEN)).toBe(false);
    expect(carriesAdminToken(basic('admin', ''), TOKEN)).toBe(false);
  });
});
