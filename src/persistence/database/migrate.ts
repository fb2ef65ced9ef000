import { Migrator } from 'kysely';
import { loadEnvironment } from '../../core/config/load-environment';
import { createDatabase, describeDatabaseUrl } from './database-connection';
import { InCodeMigrationProvider } from './migrations';

/**
 * Applies every migration the database has not applied yet, in order, each in its own transaction (Kysely's Migrator
 * also takes a lock, so two deployments migrating at once do not collide). Returns the names applied.
 */
export async function migrateToLatest(url: string): Promise<string[]> {
  const db = createDatabase(url, {
    poolSize: 1,
    connectTimeoutMs: 10_000,
    applicationName: 'smartcache-migrate',
  });
  try {
    const { error, results = [] } = await new Migrator({
      db,
      provider: new InCodeMigrationProvider(),
    }).migrateToLatest();
    const failed = results.find((result) => result.status === 'Error');
    if (error !== undefined) {
      const reason = error instanceof Error ? error.message : JSON.stringify(error);
      const which = failed ? `Migration ${failed.migrationName}` : 'Migrating';
      throw new Error(`${which} failed on ${describeDatabaseUrl(url)}: ${reason}`, { cause: error });
    }
    return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
  } finally {
    await db.destroy();
  }
}

/** `npm run db:migrate` (tsx) or `node dist/persistence/database/migrate.js` (built image): DATABASE_URL from the environment or .env. */
async function main(): Promise<void> {
  const env = loadEnvironment();
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set: nothing to migrate.');
  const applied = await migrateToLatest(env.DATABASE_URL);
  process.stdout.write(
    applied.length > 0
      ? `Applied ${applied.length} migration(s) to ${describeDatabaseUrl(env.DATABASE_URL)}: ${applied.join(', ')}\n`
      : `The schema at ${describeDatabaseUrl(env.DATABASE_URL)} is up to date.\n`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
