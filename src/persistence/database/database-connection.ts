import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './database.types';
import { InCodeMigrationProvider } from './migrations';

/** How long start-up waits for PostgreSQL before giving up. */
export const DATABASE_STARTUP_DEADLINE_MS = 5_000;
/** Server-side bound of every statement, so a stuck query cannot hold a pooled connection for ever. */
export const STATEMENT_TIMEOUT_MS = 30_000;

export interface DatabaseOptions {
  /** Connections in the pool. */
  readonly poolSize: number;
  /** Longest wait for a connection (new, or free in the pool). */
  readonly connectTimeoutMs: number;
  /** Shows in pg_stat_activity, so an operator sees which process holds a connection. */
  readonly applicationName?: string;
}

/** A Kysely instance over a pg Pool. Errors of idle connections are passed to `onError` instead of crashing the process. */
export function createDatabase(
  url: string,
  { poolSize, connectTimeoutMs, applicationName = 'smartcache' }: DatabaseOptions,
  onError: (error: Error) => void = () => undefined,
): Kysely<Database> {
  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: applicationName,
  });
  // pg emits 'error' for connections that die while idle (a restart of PostgreSQL); unhandled, it would end the process.
  pool.on('error', onError);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Where a URL points, for messages: host, port, database and user, with the password masked. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const masked = new URL(url);
    if (masked.password) masked.password = '***';
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default)';
    return `host ${parsed.hostname || '(socket)'}, port ${parsed.port || '5432'}, database ${database} (${masked.toString()})`;
  } catch {
    return '(an unparsable DATABASE_URL)';
  }
}

/** Names of the migrations the code has that the database has not applied (all of them on an empty database). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const migrations = await new Migrator({ db, provider: new InCodeMigrationProvider() }).getMigrations();
  return migrations.filter((migration) => migration.executedAt === undefined).map(({ name }) => name);
}

/**
 * Start-up check when DATABASE_URL is set: PostgreSQL answers within `deadlineMs`, and every migration the code has
 * is applied. Throws one message that says where it looked (password masked) and what to do; the bootstrap prints it
 * and exits, as for Redis (a service told to persist must not run without it, nor against an older schema).
 */
export async function assertDatabaseReady(
  url: string,
  deadlineMs = DATABASE_STARTUP_DEADLINE_MS,
): Promise<void> {
  const db = createDatabase(url, {
    poolSize: 1,
    connectTimeoutMs: Math.min(deadlineMs, 3_000),
    applicationName: 'smartcache-startup',
  });
  try {
    const started = Date.now();
    let reachable = false;
    let lastError: unknown;
    while (!reachable && Date.now() - started < deadlineMs) {
      try {
        await sql`select 1`.execute(db);
        reachable = true;
      } catch (error) {
        // The server answered with an error (unknown database or role, bad password): waiting will not fix it.
        if (isServerError(error)) {
          throw new Error(
            `PostgreSQL at ${describeDatabaseUrl(url)} refused the connection: ${error.message}. Fix DATABASE_URL ` +
              '(or create the database), or unset it to run without persistence.',
          );
        }
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    if (!reachable) {
      const reason = lastError instanceof Error ? lastError.message || lastError.name : String(lastError);
      throw new Error(
        `Cannot reach PostgreSQL at ${describeDatabaseUrl(url)}: ${reason}. ` +
          'Start one with `docker compose up -d postgres`, fix DATABASE_URL, or unset it to run without persistence.',
      );
    }
    const pending = await pendingMigrations(db);
    if (pending.length > 0) {
      throw new Error(
        `The PostgreSQL schema at ${describeDatabaseUrl(url)} is older than this version expects ` +
          `(not applied: ${pending.join(', ')}). Run \`npm run db:migrate\` ` +
          '(from the built image: `node dist/persistence/database/migrate.js`), then start again.',
      );
    }
  } finally {
    await db.destroy();
  }
}

/** An error PostgreSQL itself sent (it carries a SQLSTATE), as opposed to a network failure. */
function isServerError(error: unknown): error is Error & { code: string } {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}
