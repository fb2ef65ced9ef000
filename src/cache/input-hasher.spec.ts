import { describe, expect, it } from 'vitest';
import { hashInput } from './input-hasher';

const local = { provider: 'local', model: 'extractive-v2', promptVersion: '2' } as const;

describe('hashInput', () => {
  it('is a stable SHA-256 hex digest', () => {
    expect(hashInput('text', 'Hello.', local)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashInput('text', 'Hello.', local)).toBe(hashInput('text', 'Hello.', local));
  });

  it('changes with the provider, the model, the prompt version and the input type', () => {
    const base = hashInput('text', 'Hello.', local);
    expect(hashInput('text', 'Hello.', { ...local, provider: 'gemini' })).not.toBe(base);
    expect(hashInput('text', 'Hello.', { ...local, model: 'other' })).not.toBe(base);
    expect(hashInput('text', 'Hello.', { ...local, promptVersion: '3' })).not.toBe(base);
    expect(hashInput('url', 'Hello.', local)).not.toBe(base);
  });

  it('cannot be confused by moving text between the identity and the input', () => {
    expect(hashInput('text', 'b', { ...local, promptVersion: '2\na' })).not.toBe(
      hashInput('text', 'a\nb', local),
    );
  });
});
