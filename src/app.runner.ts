import { Logger } from '@nestjs/common';
import { createApp, isHttpApp } from './app.factory';
import { summarizerIdentityOf } from './ai/summarizer-identity';
import type { Environment } from './core/config/environment';
import { describeRedisUrl } from './core/redis/redis-connection';

export interface StartAppOptions {
  /** Runs once the app has closed on SIGTERM/SIGINT, before the process exits (main.ts flushes the traces). */
  readonly afterClose?: () => Promise<void>;
}

/** Builds and starts the application for a checked configuration, and stops it on SIGTERM/SIGINT within bounds. */
export async function startApp(env: Environment, { afterClose }: StartAppOptions = {}): Promise<void> {
  const logger = new Logger('Bootstrap');
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let shuttingDown = false;
  const closeApp = (signal: NodeJS.Signals, started: NonNullable<typeof app>) => {
    logger.log(`${signal} received: stopping (at most ${env.SHUTDOWN_TIMEOUT_MS} ms)`);
    setTimeout(() => {
      logger.error('shutdown timed out; exiting with jobs still running (they will be recovered as stalled)');
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT_MS).unref();
    // afterClose never throws (main.ts: a bounded flush of the traces).
    const closed = started.close().then(afterClose);
    closed.then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  let pendingSignal: NodeJS.Signals | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown || pendingSignal) return;
    // Building a worker-only app (PROCESS_ROLE=worker) already starts its workers: Nest initialises the context while
    // creating it. So a signal during start-up is remembered and honoured as soon as the app exists, never left to
    // the default action that would kill the process with its first jobs running.
    if (!app) {
      pendingSignal = signal;
      return;
    }
    shuttingDown = true;
    closeApp(signal, app);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  try {
    app = await createApp(env);
  } catch (error) {
    process.stderr.write(`Cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  if (pendingSignal) {
    shuttingDown = true;
    closeApp(pendingSignal, app);
    return;
  }

  const identity = summarizerIdentityOf(env);
  const facts = {
    role: env.PROCESS_ROLE,
    provider: identity.provider,
    model: identity.model,
    redis: describeRedisUrl(env.REDIS_URL),
    ...(env.PROCESS_ROLE !== 'api' ? { workers: env.WORKER_COUNT, cpu_threads: env.CPU_POOL_SIZE } : {}),
  };
  const summary = `role ${facts.role}, ${facts.provider}/${facts.model}, Redis ${facts.redis}${
    'workers' in facts ? `, ${facts.workers} workers, ${facts.cpu_threads} CPU threads` : ''
  }`;
  if (isHttpApp(app)) {
    await app.listen(env.PORT, env.HOST);
    const port = (app.getHttpServer().address() as { port: number } | null)?.port ?? env.PORT;
    logger.log({ ...facts, port }, `API listening on http://${env.HOST}:${port} (${summary}; docs at /docs)`);
  } else {
    await app.init();
    logger.log(facts, `worker started (${summary})`);
  }
}
