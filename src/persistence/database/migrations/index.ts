import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './0001-initial-schema';
import { jobScopeOwner } from './0002-job-scope-owner';

/**
 * Every migration, by name, in order: compiled into dist with the code, so nothing is looked up on disk at run time.
 * Append only; a released migration never changes (add a new one). The last name is the schema the code expects.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial-schema': initialSchema,
  '0002-job-scope-owner': jobScopeOwner,
};

/** The newest migration: the service refuses to start on a database that has not applied it. */
export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1)!;

/** Kysely's Migrator reads the migrations from here instead of globbing a folder. */
export class InCodeMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve({ ...MIGRATIONS });
  }
}
