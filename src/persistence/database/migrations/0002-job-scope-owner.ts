import type { Kysely, Migration } from 'kysely';

/**
 * The cache scope a job was made in: the API key owning a private scope, null for the shared one. `GET /api/status`
 * answers a job from the history only in its own scope, as it does from Redis.
 */
export const jobScopeOwner: Migration = {
  // Migrations see the database as it was then, not the current Database type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('job_history').addColumn('scope_owner', 'text').execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('job_history').dropColumn('scope_owner').execute();
  },
};
