import { afterAll, beforeAll, beforeEach } from 'vitest';

/** What {@link useFakeApi} needs of a fake API (FakeGeminiApi, FakeOpenAiApi). */
interface ResettableFake {
  start(): Promise<unknown>;
  stop(): Promise<void>;
  reset(): unknown;
}

/** Serves `fake` for the enclosing suite and forgets its calls and script before each test. */
export function useFakeApi<T extends ResettableFake>(fake: T): T {
  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    fake.reset();
  });
  return fake;
}

/** Whatever the error, the promise must reject with it; returns it typed for assertions. */
export async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
