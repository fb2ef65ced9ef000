import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis-server';
import { deleteKeysWithPrefix, startTestApp, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

const ROOT = resolve(__dirname, '../..');
const SOURCE_CLI = resolve(ROOT, 'src/cli/apikey.ts');
const BUILT_CLI = resolve(ROOT, 'dist/cli/apikey.js');

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as `npm run apikey` does (tsx on the source), or the built one, with exactly `env` on top of PATH. */
function cli(args: string[], env: Record<string, string>, built = false): Promise<CliResult> {
  const entry = built ? [BUILT_CLI] : ['--import', 'tsx', SOURCE_CLI];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

describe('the apikey CLI, end to end as a child process against the real Redis and a running API', () => {
  const prefix = uniquePrefix();
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
  const redis = new Redis(TEST_REDIS_URL);
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ env: { REDIS_KEY_PREFIX: prefix, API_KEYS_REQUIRED: 'true' } });
  });
  afterAll(async () => {
    await api.close();
    redis.disconnect();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  it('creates a key that works at once, lists it without its secret, and revokes it for good', async () => {
    const created = await cli(['create', '--name', 'ci bot', '--rpm', '300', '--cache', 'private'], env);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const id = /Created API key ([0-9a-f]{16})/.exec(created.stdout)?.[1];
    const secret = /^(sk_[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    expect(secret).toBeDefined();
    expect(created.stdout).toMatch(/cache private, 300 rpm/);

    const auth = { authorization: `Bearer ${secret}` };
    const submitted = await api.post('/api/submit', { input: 'Made by the CLI. Works at once.' }, auth);
    expect(submitted.status).toBe(202);
    expect(submitted.headers['ratelimit-policy']).toMatch(/^"minute";q=300;w=60/);

    // Only the SHA-256 is stored: the secret appears in no value under the prefix.
    const stored = await redis.keys(`${prefix}apikey*`);
    for (const key of stored) {
      const type = await redis.type(key);
      const values =
        type === 'hash' ? Object.values(await redis.hgetall(key)) : await redis.zrange(key, '0', '-1');
      for (const value of values) expect(value).not.toContain(secret!.slice(3));
    }

    const listed = await cli(['list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`^${id}\\s+ci bot\\s+private\\s+300\\s+default\\s+\\S+\\s+-$`, 'm'),
    );
    expect(listed.stdout).not.toContain('sk_');
    const json = await cli(['list', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        id,
        name: 'ci bot',
        rpm: 300,
        daily_jobs: null,
        cache: 'private',
        created_at: expect.any(String),
        revoked_at: null,
      },
    ]);

    const revoked = await cli(['revoke', id!], env);
    expect(revoked).toMatchObject({ code: 0, stderr: '' });
    expect(revoked.stdout).toMatch(/^Revoked API key/);
    expect((await api.post('/api/submit', { input: 'After the revocation.' }, auth)).status).toBe(401);
    const again = await cli(['revoke', id!], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already revoked/);
    const listedAfter = JSON.parse((await cli(['list', '--json'], env)).stdout) as Array<{
      revoked_at: string;
    }>;
    expect(listedAfter[0].revoked_at).toEqual(expect.any(String));
  });

  it('refuses bad input with a clear message and exit code 1, creating nothing', async () => {
    const otherPrefix = uniquePrefix();
    const otherEnv = { ...env, REDIS_KEY_PREFIX: otherPrefix };
    const cases: Array<[string[], RegExp]> = [
      [[], /missing command/],
      [['create'], /needs --name/],
      [['create', '--name', 'x', '--rpm', '-5'], /--rpm must be a whole number from 0 .* not -5/],
      [['create', '--name', 'x', '--rpm', '1.5'], /--rpm must be a whole number/],
      [['create', '--name', 'x', '--daily-jobs', 'many'], /--daily-jobs must be a whole number/],
      [['create', '--name', 'x', '--cache', 'public'], /--cache must be shared or private/],
      [['create', '--name', 'x', '--admin'], /Unknown option '--admin'/],
      [['create', '--name', 'n'.repeat(65)], /--name is too long/],
      [['revoke', 'not-an-id'], /not a key id/],
      [['revoke', '0123456789abcdef'], /no API key with id 0123456789abcdef/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args, otherEnv);
      expect([args, result.code]).toEqual([args, 1]);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    expect(await redis.keys(`${otherPrefix}*`)).toEqual([]);
  });

  it('refuses an invalid environment and an unreachable Redis with exit code 1', async () => {
    const badPrefix = await cli(['list'], { ...env, REDIS_KEY_PREFIX: 'no spaces allowed' });
    expect(badPrefix.code).toBe(1);
    expect(badPrefix.stderr).toMatch(/REDIS_KEY_PREFIX/);
    const port = await freePort();
    const unreachable = await cli(['create', '--name', 'x'], {
      ...env,
      REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(new RegExp(`cannot reach Redis at redis://127.0.0.1:${port}`));
  });

  it.runIf(existsSync(BUILT_CLI))(
    'runs from the build (node dist/cli/apikey.js), as in the image',
    async () => {
      const created = await cli(['create', '--name', 'built', '--json'], env, true);
      expect(created.code).toBe(0);
      const { id, secret } = JSON.parse(created.stdout) as { id: string; secret: string };
      expect(secret).toMatch(/^sk_/);
      expect((await api.get('/api/usage', { 'x-api-key': secret })).body.key_id).toBe(id);
    },
  );
});
