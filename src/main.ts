import 'reflect-metadata';
import { loadEnvironment } from './core/config/load-environment';
import { assertRedisReachable } from './core/redis/redis-connection';
import { tuneHeap } from './core/runtime/heap-tuning';
import { tracingSettings } from './tracing/tracing-settings';
import type { TracingHandle } from './tracing/tracing-sdk';

/**
 * Checks what the operator must fix before anything else: the configuration, Redis and PostgreSQL (when configured)
 * are checked with only their
 * own small modules loaded, so a bad variable fails in a fraction of a second and a missing Redis within its deadline
 * even on a loaded machine; the application (Nest, every feature, the AI SDKs) is imported only afterwards.
 */
async function bootstrap(): Promise<void> {
  let env;
  let tracing: TracingHandle | undefined;
  try {
    env = loadEnvironment();
    // Before the application is built, so the setting holds from its first full collection.
    if (env.PROCESS_ROLE !== 'api') tuneHeap();
    await assertRedisReachable(env.REDIS_URL);
    if (env.DATABASE_URL) {
      const { assertDatabaseReady } = await import('./persistence/database/database-connection.js');
      await assertDatabaseReady(env.DATABASE_URL);
    }
    // OpenTelemetry, only when configured (otherwise none of the SDK is loaded): after the checks, so they stay as fast
    // as they are, and before the application is imported, so the HTTP instrumentation sees node:http loaded.
    const traces = tracingSettings(env);
    if (traces) tracing = (await import('./tracing/tracing-sdk.js')).startTracing(traces);
  } catch (error) {
    // Configuration, Redis and PostgreSQL problems are the operator's to fix: one clear message, no stack trace.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }

  const { startApp } = await import('./app.runner.js');
  // The last spans are flushed after the app has closed (bounded), before the process exits.
  await startApp(env, { afterClose: tracing?.shutdown });
}

void bootstrap();
