import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrateToLatest } from '../../src/persistence/database/migrate';
import { freePort } from './redis-server';

/** The shared PostgreSQL the tests create their databases in: TEST_DATABASE_URL (CI) or the local default. */
export const TEST_POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement on `url` with a fresh connection. */
export async function sqlOn<T = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A database of its own on a PostgreSQL server (`smartcache_test_<random>`), dropped by {@link drop}. */
export class TestDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly adminUrl: string,
  ) {}

  static async create(adminUrl = TEST_POSTGRES_URL, { migrate = true } = {}): Promise<TestDatabase> {
    const name = `smartcache_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    await sqlOn(adminUrl, `create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const database = new TestDatabase(name, url.toString(), adminUrl);
    if (migrate) await migrateToLatest(database.url);
    return database;
  }

  query<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
    return sqlOn<T>(this.url, text, values);
  }

  async count(table: string, where = 'true'): Promise<number> {
    const [row] = await this.query<{ n: string }>(`select count(*) as n from ${table} where ${where}`);
    return Number(row.n);
  }

  /** Drops the database, closing whatever connections a test left open. */
  async drop(): Promise<void> {
    await sqlOn(this.adminUrl, `drop database if exists ${this.name} with (force)`);
  }
}

/** The newest installed PostgreSQL's bin directory (Debian layout), or PG_BIN. */
function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql (set PG_BIN)');
  return join(root, versions[0], 'bin');
}

/**
 * A private PostgreSQL cluster on a free loopback port, for outage tests: stopping it disturbs no other test.
 * initdb and the server run as the `postgres` user (PostgreSQL refuses to run as root).
 */
export class DisposablePostgresCluster {
  private readonly dir = mkdtempSync(join(tmpdir(), 'smartcache-pg-'));
  private readonly data = join(this.dir, 'data');

  private constructor(readonly port: number) {}

  static async start(): Promise<DisposablePostgresCluster> {
    const cluster = new DisposablePostgresCluster(await freePort());
    cluster.init();
    cluster.start();
    return cluster;
  }

  /** The admin URL (database `postgres`) of this cluster. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  start(): void {
    this.pgCtl(
      'start',
      '-w',
      '-t',
      '30',
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    );
  }

  /** Stops the server at once (immediate mode: no checkpoint, connections cut), as a crash or an outage would. */
  stop(): void {
    this.pgCtl('stop', '-w', '-t', '30', '-m', 'immediate');
  }

  dispose(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private init(): void {
    const { uid, gid } = postgresUser();
    chownSync(this.dir, uid, gid);
    this.asPostgres(join(postgresBin(), 'initdb'), [
      '-D',
      this.data,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '--encoding=UTF8',
      '--locale=C',
    ]);
  }

  private pgCtl(...args: string[]): void {
    this.asPostgres(join(postgresBin(), 'pg_ctl'), ['-D', this.data, ...args]);
  }

  private asPostgres(command: string, args: string[]): void {
    const asRoot = process.getuid?.() === 0;
    const result = spawnSync(
      asRoot ? 'runuser' : command,
      asRoot ? ['-u', 'postgres', '--', command, ...args] : args,
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`,
      );
    }
  }
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
