import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/persistence/database/migrations';
import { freePort } from '../support/redis-server';
import { ServiceProcess } from '../support/service-process';
import { TestDatabase } from '../support/postgres';
import { deleteKeysWithPrefix, waitFor } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

const MIGRATE = resolve(__dirname, '../../dist/persistence/database/migrate.js');
const run = promisify(execFile);

/** The built migration CLI (what `npm run db:migrate` runs, and what the image runs: `node dist/…/migrate.js`). */
const migrate = (url: string) =>
  run(process.execPath, [MIGRATE], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: url },
    timeout: 30_000,
  });

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);

describe('migrations and the start-up check of DATABASE_URL (built dist, real PostgreSQL)', () => {
  const databases: TestDatabase[] = [];
  const processes: ServiceProcess[] = [];
  const prefix = uniquePrefix();
  let empty: TestDatabase;

  const database = async (options: { migrate: boolean }) => {
    const db = await TestDatabase.create(undefined, options);
    databases.push(db);
    return db;
  };
  const start = (env: Record<string, string>) => {
    const child = ServiceProcess.start({
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      PORT: '0',
      HOST: '127.0.0.1',
      ...env,
    });
    processes.push(child);
    return child;
  };

  beforeAll(async () => {
    empty = await database({ migrate: false });
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((child) => child.stop()));
  });
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  it('refuses to start on a database without the schema, saying to run npm run db:migrate', async () => {
    const child = start({ DATABASE_URL: empty.url });
    const { code } = await within(child.exited, 15_000, 'exit on an old schema');
    expect(code).toBe(1);
    expect(child.stderr).toContain('npm run db:migrate');
    expect(child.stderr).toContain('not applied: 0001-initial-schema');
    expect(child.stderr).toContain(`database ${empty.name}`);
  });

  it('refuses to start on a schema older than the code (a migration not applied)', async () => {
    const db = await database({ migrate: true });
    await db.query(`delete from kysely_migration where name = '0001-initial-schema'`);
    const child = start({ DATABASE_URL: db.url });
    expect((await within(child.exited, 15_000, 'exit on an old schema')).code).toBe(1);
    expect(child.stderr).toContain('npm run db:migrate');
  });

  it('exits within 10 s when PostgreSQL is unreachable, saying where it looked, password masked', async () => {
    const port = await freePort();
    const started = Date.now();
    const child = start({ DATABASE_URL: `postgres://app:s3cret-pass@127.0.0.1:${port}/smartcache` });
    const { code } = await within(child.exited, 15_000, 'exit without PostgreSQL');
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(child.stderr).toContain(
      `Cannot reach PostgreSQL at host 127.0.0.1, port ${port}, database smartcache`,
    );
    expect(child.stderr).toContain('app:***@');
    expect(child.stderr).not.toContain('s3cret-pass');
    expect(child.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('migrates up from an empty database with the built CLI, then again as a no-op', async () => {
    const db = await database({ migrate: false });
    const first = await migrate(db.url);
    expect(first.stdout).toContain(`Applied ${Object.keys(MIGRATIONS).length} migration(s)`);
    const tables = await db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    expect(tables.map(({ table_name }) => table_name)).toEqual(
      expect.arrayContaining(['analytics_hourly', 'job_history', 'kysely_migration', 'summary_archive']),
    );
    const indexes = await db.query<{ indexname: string }>(
      `select indexname from pg_indexes where tablename = 'job_history' order by 1`,
    );
    expect(indexes.map(({ indexname }) => indexname)).toEqual([
      'job_history_created_idx',
      'job_history_finished_idx',
      'job_history_input_type_created_idx',
      'job_history_pkey',
      'job_history_status_created_idx',
    ]);
    expect((await migrate(db.url)).stdout).toContain('up to date');
  });

  it('starts once the schema is migrated', async () => {
    const db = await database({ migrate: false });
    await migrate(db.url);
    const child = start({ DATABASE_URL: db.url, PROCESS_ROLE: 'api' });
    await waitFor(
      async () => (child.logs().some((line) => /API listening/.test(String(line.msg))) ? true : undefined),
      {
        what: 'the API to listen',
      },
    );
    expect(child.running).toBe(true);
  });
});
