import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApiKeys } from '../support/api-keys';
import { freePort } from '../support/redis-server';
import { ServiceProcess } from '../support/service-process';
import { deleteKeysWithPrefix, waitFor } from '../support/test-app';
import { TEST_REDIS_URL, uniquePrefix } from '../support/test-environment';

const REQUESTS = 1_000;
const IN_FLIGHT = 32;

describe('rate-limit accuracy across two API processes (real child processes of dist/main.js)', () => {
  const prefix = uniquePrefix();
  const keys = new TestApiKeys(prefix);
  const processes: ServiceProcess[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      processes.push(
        ServiceProcess.start({
          REDIS_URL: TEST_REDIS_URL,
          REDIS_KEY_PREFIX: prefix,
          PROCESS_ROLE: 'api',
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          API_KEYS_REQUIRED: 'true',
        }),
      );
      urls.push(`http://127.0.0.1:${port}`);
    }
    for (const url of urls)
      await waitFor(async () => ((await fetch(`${url}/health`).catch(() => null))?.ok ? true : undefined), {
        timeoutMs: 30_000,
        what: `${url} to serve`,
      });
  });
  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    keys.close();
    await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
  });

  it('accepts exactly 300 of 1,000 requests sent as fast as possible by one key with --rpm 300', async () => {
    const { auth } = await keys.create({ rpm: 300 });
    const statuses: number[] = [];
    let next = 0;
    const sender = async () => {
      while (next < REQUESTS) {
        const i = next++;
        const response = await fetch(`${urls[i % 2]}/api/submit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth },
          body: JSON.stringify({ input: 'One key, two processes, a thousand requests. Three hundred pass.' }),
        });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    const accepted = statuses.filter((status) => status === 200 || status === 202).length;
    const refused = statuses.filter((status) => status === 429).length;
    // The bound is 300 to 306; the window is exact while all requests fall in one minute, on any machine.
    expect(accepted).toBeGreaterThanOrEqual(300);
    expect(accepted).toBeLessThanOrEqual(306);
    expect(accepted).toBe(300);
    expect(refused).toBe(REQUESTS - accepted);
  });
});
