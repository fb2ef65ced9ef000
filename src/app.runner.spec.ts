import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Environment } from './core/config/environment';

const factory = vi.hoisted(() => ({ createApp: vi.fn(), isHttpApp: vi.fn(() => false) }));
vi.mock('./app.factory', () => factory);

import { startApp } from './app.runner';

const env = {
  PROCESS_ROLE: 'worker',
  // Longer than any test run: the shutdown timer it arms (unref'd) must never fire process.exit after the test.
  SHUTDOWN_TIMEOUT_MS: 3_600_000,
  REDIS_URL: 'redis://127.0.0.1:6379',
  AI_PROVIDER: 'local',
  WORKER_COUNT: 1,
  CPU_POOL_SIZE: 1,
} as unknown as Environment;

describe('startApp', () => {
  let exit: ReturnType<typeof vi.spyOn>;
  const signals = ['SIGTERM', 'SIGINT'] as const;
  let listenersBefore: Map<NodeJS.Signals, NodeJS.SignalsListener[]>;
  beforeEach(() => {
    exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    listenersBefore = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  });
  afterEach(() => {
    // Only what the test added: startApp's handlers (once-listeners not yet called).
    for (const signal of signals) {
      for (const listener of process.listeners(signal)) {
        if (!listenersBefore.get(signal)!.includes(listener)) process.removeListener(signal, listener);
      }
    }
    exit.mockRestore();
    vi.clearAllMocks();
  });

  it('honours a SIGTERM that arrives while the app is being built (its workers already run) by closing it', async () => {
    const app = { close: vi.fn(async () => {}), init: vi.fn(async () => {}) };
    let built!: () => void;
    factory.createApp.mockImplementation(() => new Promise((resolve) => (built = () => resolve(app))));

    const started = startApp(env);
    await vi.waitFor(() => expect(factory.createApp).toHaveBeenCalled());
    // process.emit runs the listeners only: without one, the real signal's default action would kill the process.
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore.get('SIGTERM')!.length + 1);
    process.emit('SIGTERM', 'SIGTERM');
    built();
    await started;

    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(app.close).toHaveBeenCalledTimes(1);
    // Closing, not starting: the worker context is not initialised again.
    expect(app.init).not.toHaveBeenCalled();
  });

  it('closes a started app on SIGINT, once however many signals arrive', async () => {
    const app = { close: vi.fn(async () => {}), init: vi.fn(async () => {}) };
    factory.createApp.mockResolvedValue(app);

    await startApp(env);
    expect(app.init).toHaveBeenCalledTimes(1);
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGTERM', 'SIGTERM');

    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(app.close).toHaveBeenCalledTimes(1);
  });
});
