import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, isHttpApp } from './app.factory';
import { loadEnvironment } from './core/config/load-environment';
import { assertRedisReachable } from './core/redis/redis-connection';
import { tuneHeap } from './core/runtime/heap-tuning';
import { assertDatabaseReady } from './persistence/database/database-connection';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  let env;
  try {
    env = loadEnvironment();
    // Before the application is built, so the setting holds from its first full collection.
    if (env.PROCESS_ROLE !== 'api') tuneHeap();
    await assertRedisReachable(env.REDIS_URL);
    if (env.DATABASE_URL) await assertDatabaseReady(env.DATABASE_URL);
  } catch (error) {
    // Configuration, Redis and PostgreSQL problems are the operator's to fix: one clear message, no stack trace.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }

  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(env);
  } catch (error) {
    process.stderr.write(`Cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.log(`${signal} received: stopping (at most ${env.SHUTDOWN_TIMEOUT_MS} ms)`);
    setTimeout(() => {
      logger.error('shutdown timed out; exiting with jobs still running (they will be recovered as stalled)');
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  if (isHttpApp(app)) {
    await app.listen(env.PORT, env.HOST);
    logger.log(`API listening on http://${env.HOST}:${env.PORT} (role ${env.PROCESS_ROLE}; docs at /docs)`);
  } else {
    await app.init();
    logger.log('worker started (role worker)');
  }
}

void bootstrap();
