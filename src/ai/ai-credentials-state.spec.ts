import { describe, expect, it } from 'vitest';
import { AiCredentialsState } from './ai-credentials-state';

describe('AiCredentialsState', () => {
  it('is healthy until a rejection, keeps the first rejection time, and recovers on an accepted call', () => {
    const state = new AiCredentialsState();
    expect(state.snapshot()).toEqual({ ok: true });

    const first = new Date('2026-01-01T00:00:00Z');
    state.recordRejected('gemini', 401, 'bad key', first);
    state.recordRejected('gemini', 401, 'bad key again', new Date('2026-01-01T00:05:00Z'));
    expect(state.snapshot()).toEqual({
      ok: false,
      provider: 'gemini',
      status: 401,
      message: 'bad key again',
      since: first,
    });

    state.recordAccepted('gemini', new Date('2026-01-01T00:10:00Z'));
    expect(state.snapshot()).toMatchObject({ ok: true, provider: 'gemini' });
  });
});
