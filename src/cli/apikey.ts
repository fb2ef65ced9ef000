/**
 * `npm run apikey -- create|list|revoke …` (a clean clone: tsx src/cli/apikey.ts; the built image:
 * node dist/cli/apikey.js). Manages API keys in the Redis the service uses (REDIS_URL, REDIS_KEY_PREFIX from the
 * environment or .env, validated as the service validates them). Exit code 0 on success, 1 on any error, with the
 * reason on stderr; every write is a single Redis script, so a failure leaves nothing half-made.
 */
import 'reflect-metadata';
import { Redis } from 'ioredis';
import { ApiKeyRepository, type ApiKeyRecord } from '../access/api-key.repository';
import { loadEnvironment } from '../core/config/load-environment';
import { describeRedisUrl } from '../core/redis/redis-connection';
import { RedisKeys } from '../core/redis/redis-keys';
import { parseApiKeyCommand, USAGE, UsageError, type ApiKeyCommand } from './apikey-command';

const REDIS_TIMEOUT_MS = 3_000;

async function main(argv: readonly string[]): Promise<number> {
  let command: ApiKeyCommand;
  try {
    command = parseApiKeyCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`apikey: ${error.message}\n\n${USAGE}\n`);
    return 1;
  }
  let env;
  try {
    env = loadEnvironment();
  } catch (error) {
    process.stderr.write(`apikey: ${(error as Error).message}\n`);
    return 1;
  }
  const redis = new Redis(env.REDIS_URL, {
    lazyConnect: true,
    connectTimeout: REDIS_TIMEOUT_MS,
    commandTimeout: REDIS_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let lastError: unknown;
  redis.on('error', (error) => (lastError = error));
  try {
    await redis.connect();
  } catch (error) {
    const reason = ((lastError ?? error) as Error).message;
    process.stderr.write(`apikey: cannot reach Redis at ${describeRedisUrl(env.REDIS_URL)} (${reason})\n`);
    redis.disconnect();
    return 1;
  }
  try {
    return await run(command, new ApiKeyRepository(redis, new RedisKeys(env.REDIS_KEY_PREFIX)));
  } catch (error) {
    process.stderr.write(`apikey: ${(error as Error).message}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

async function run(command: ApiKeyCommand, keys: ApiKeyRepository): Promise<number> {
  switch (command.name) {
    case 'create': {
      const { record, secret } = await keys.create(command.key);
      if (command.json) {
        print(JSON.stringify({ ...toJson(record), secret }));
      } else {
        print(`Created API key ${record.id} (${describe(record)}).`);
        print('Its secret, shown only this once (only its SHA-256 is stored):');
        print(secret);
      }
      return 0;
    }
    case 'list': {
      const records = await keys.list();
      if (command.json) print(JSON.stringify(records.map(toJson)));
      else if (records.length === 0) print('No API keys.');
      else printTable(records);
      return 0;
    }
    case 'revoke': {
      const outcome = await keys.revoke(command.id);
      if (outcome.status === 'unknown') {
        process.stderr.write(`apikey: no API key with id ${command.id}\n`);
        return 1;
      }
      print(
        outcome.status === 'revoked'
          ? `Revoked API key ${command.id} at ${outcome.revokedAt}; every API process refuses it from its next request.`
          : `API key ${command.id} was already revoked at ${outcome.revokedAt}.`,
      );
      return 0;
    }
  }
}

const limit = (value: number | null, unit: string) =>
  value === null ? `${unit} default` : value === 0 ? `no ${unit} limit` : `${value} ${unit}`;

function describe(record: ApiKeyRecord): string {
  return `name ${JSON.stringify(record.name)}, cache ${record.cache}, ${limit(record.rpm, 'rpm')}, ${limit(record.dailyJobs, 'daily jobs')}`;
}

function toJson(record: ApiKeyRecord) {
  return {
    id: record.id,
    name: record.name,
    rpm: record.rpm,
    daily_jobs: record.dailyJobs,
    cache: record.cache,
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
  };
}

function printTable(records: readonly ApiKeyRecord[]): void {
  const rows = [
    ['ID', 'NAME', 'CACHE', 'RPM', 'DAILY JOBS', 'CREATED', 'REVOKED'],
    ...records.map((r) => [
      r.id,
      r.name,
      r.cache,
      r.rpm === null ? 'default' : String(r.rpm),
      r.dailyJobs === null ? 'default' : String(r.dailyJobs),
      r.createdAt,
      r.revokedAt ?? '-',
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => [...row[column]].length)));
  for (const row of rows)
    print(
      row
        .map((cell, column) => cell + ' '.repeat(widths[column] - [...cell].length))
        .join('  ')
        .trimEnd(),
    );
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(
      `apikey: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
