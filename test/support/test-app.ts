import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { configureHttpApp, createFastifyAdapter, HTTP_APP_OPTIONS } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import type { Environment } from '../../src/core/config/environment';
import { testEnvironment } from './test-environment';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly env: Environment;
  /** `http://127.0.0.1:{port}` of the running API. */
  readonly baseUrl: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<JsonResponse>;
  get(path: string, headers?: Record<string, string>): Promise<JsonResponse>;
  close(): Promise<void>;
}

export interface JsonResponse {
  readonly status: number;
  /** Response headers, lowercase names. */
  readonly headers: Record<string, string>;
  // Tests read arbitrary fields of the answers they check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export interface TestAppOptions {
  /** Environment variables on top of {@link testEnvironment}'s (REDIS_KEY_PREFIX to share a namespace). */
  readonly env?: Record<string, string>;
  /** Swap providers, e.g. the summarizer, through Nest's testing module. */
  readonly override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/** Starts the real application (Fastify, real Redis under its own key prefix) on an ephemeral loopback port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const env = testEnvironment(options.env);
  const builder = Test.createTestingModule({ imports: [AppModule.register(env)] });
  const moduleRef = await (options.override ? options.override(builder) : builder).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createFastifyAdapter(env),
    HTTP_APP_OPTIONS,
  );
  configureHttpApp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: the test sees the raw text.
    }
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: parsed,
    } as JsonResponse;
  };

  return {
    app,
    env,
    baseUrl,
    post: (path, body, headers) => request('POST', path, body, headers),
    get: (path, headers) => request('GET', path, undefined, headers),
    close: async () => {
      await app.close();
    },
  };
}

/** Deletes every key under a test's prefix (never FLUSHALL: other runs may share this Redis). */
export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls until `check` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

/** Polls a job until it reaches one of `states`; returns its status body. */
export async function waitForJob(
  testApp: Pick<TestApp, 'get'>,
  jobId: string,
  states: string[] = ['completed', 'failed'],
  timeoutMs = 15_000,
): Promise<JsonResponse['body']> {
  return waitFor(
    async () => {
      const { body } = await testApp.get(`/api/status/${jobId}`);
      return states.includes(body?.status) ? body : undefined;
    },
    { timeoutMs, what: `job ${jobId} to be ${states.join(' or ')}` },
  );
}
