import 'reflect-metadata';
import { parseAllowedHosts } from '../../content/safe-fetcher';
import { parseTrustProxy } from '../http/trust-proxy';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';

export type ProcessRole = 'all' | 'api' | 'worker';
export type AiProviderName = 'local' | 'gemini' | 'openai';

const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** `true`/`false` (any case) to a boolean; anything else is left for @IsBoolean to report. */
const parseBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
};

/**
 * Every environment variable the service reads, with its default. Validated once at start-up; the rest of the
 * code reads these through `ConfigService<Environment, true>` and never touches `process.env`.
 */
export class Environment {
  /** HTTP port of the API. */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT = 8080;
  /** Interface the API listens on. */
  @IsString() HOST = '0.0.0.0';
  /** `all` serves the API and runs workers; `api` only serves; `worker` only processes jobs. */
  @IsIn(['all', 'api', 'worker']) PROCESS_ROLE: ProcessRole = 'all';

  /** Redis (or Valkey) holding the cache, the queue and the analytics. */
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL = 'redis://localhost:6379';
  /** Prepended to every key (cache, analytics and queue), so several deployments or test runs share one Redis. */
  @Matches(/^[A-Za-z0-9_.-]*:?$/, {
    message: 'REDIS_KEY_PREFIX may only hold letters, digits, _ . - and a final :',
  })
  REDIS_KEY_PREFIX = '';

  /** Seconds a summary stays cached. */
  @Type(() => Number) @IsInt() @Min(1) CACHE_TTL = 300;
  /** Seconds a summary made by the local fallback (after a remote provider failed) stays cached. */
  @Type(() => Number) @IsInt() @Min(1) FALLBACK_CACHE_TTL = 60;
  /** Largest accepted request body, in bytes. */
  @Type(() => Number) @IsInt() @Min(1024) MAX_INPUT_BYTES = 1_048_576;

  /** Jobs one process works on at once. */
  @Type(() => Number) @IsInt() @Min(1) @Max(1000) WORKER_COUNT = 3;
  /** Attempts per job for failures worth retrying (timeouts, 5xx, resets). */
  @Type(() => Number) @IsInt() @Min(1) @Max(20) JOB_ATTEMPTS = 3;
  /** First retry delay; doubles on each further attempt. */
  @Type(() => Number) @IsInt() @Min(0) JOB_BACKOFF_MS = 1000;
  /** How long a worker's lock on a job lasts without renewal; a killed worker's job is recovered after it. */
  @Type(() => Number) @IsInt() @Min(1000) JOB_LOCK_MS = 30_000;
  /** How often workers look for jobs whose worker died. */
  @Type(() => Number) @IsInt() @Min(1000) STALLED_INTERVAL_MS = 30_000;
  /** Finished jobs are kept this many seconds (and at most JOB_RETENTION_COUNT of them) for `GET /api/status`. */
  @Type(() => Number) @IsInt() @Min(1) JOB_RETENTION_SECONDS = 86_400;
  @Type(() => Number) @IsInt() @Min(1) JOB_RETENTION_COUNT = 10_000;
  /** Longest wait for running jobs on SIGTERM/SIGINT before the process exits anyway. */
  @Type(() => Number) @IsInt() @Min(0) SHUTDOWN_TIMEOUT_MS = 10_000;

  /** `local`, `gemini` or `openai`; default `gemini` when GEMINI_API_KEY is set, else `local`. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsEnum(['local', 'gemini', 'openai'])
  AI_PROVIDER?: AiProviderName;
  @IsOptional() @Transform(emptyToUndefined) @IsString() GEMINI_API_KEY?: string;
  @IsString() GEMINI_MODEL = 'gemini-2.5-flash';
  /** Overrides the Gemini API address (proxies, tests). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, require_protocol: true })
  GEMINI_BASE_URL?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, require_protocol: true })
  OPENAI_BASE_URL?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() OPENAI_API_KEY?: string;
  @IsString() OPENAI_MODEL = 'gpt-4o-mini';
  /** Timeout of one AI call. */
  @Type(() => Number) @IsInt() @Min(100) AI_TIMEOUT_MS = 30_000;
  /** Inputs longer than this many tokens (estimated) are cut before the call. */
  @Type(() => Number) @IsInt() @Min(100) AI_MAX_INPUT_TOKENS = 8_000;
  /** `local` summarizes locally when the remote provider fails for good; `none` fails the job. */
  @IsIn(['none', 'local']) AI_FALLBACK: 'none' | 'local' = 'none';
  /** AI calls per second across all workers; 0 means no limit. */
  @Type(() => Number) @IsInt() @Min(0) AI_MAX_RPS = 0;

  /** DANGEROUS: `host:port` pairs fetched even though they resolve to non-public addresses (tests, private deployments). */
  @IsString() FETCH_ALLOWED_HOSTS = '';
  @Type(() => Number) @IsInt() @Min(100) FETCH_CONNECT_TIMEOUT_MS = 5_000;
  /** Whole fetch, redirects and body included. */
  @Type(() => Number) @IsInt() @Min(100) FETCH_TIMEOUT_MS = 15_000;
  @Type(() => Number) @IsInt() @Min(1024) FETCH_MAX_BYTES = 5_242_880;
  @Type(() => Number) @IsInt() @Min(0) @Max(20) FETCH_MAX_REDIRECTS = 5;
  /** Extracted text shorter than this fails the job (empty pages, login walls). */
  @Type(() => Number) @IsInt() @Min(1) CONTENT_MIN_CHARS = 200;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';

  /** `true`: every /api route needs an API key (`Authorization: Bearer sk_…` or `x-api-key`); docs/access.md. */
  @Transform(parseBoolean) @IsBoolean() API_KEYS_REQUIRED = false;
  /**
   * Requests per minute per client (sliding window): per API key when keys are on (a key's own `--rpm` wins), per
   * client IP when they are off. 0 = no limit, the default, so a local install and the benchmarks are unlimited.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(100_000_000) RATE_LIMIT_RPM = 0;
  /** New AI jobs per API key and UTC day (a key's own `--daily-jobs` wins); 0 = no quota. Only with keys on. */
  @Type(() => Number) @IsInt() @Min(0) @Max(100_000_000) DAILY_JOB_LIMIT = 1_000;
  /**
   * Whether to believe X-Forwarded-For for the client IP (per-IP limits): `false`, `true` (any proxy), or a comma list
   * of proxy addresses/CIDRs. Fastify's `trustProxy` (core/http/trust-proxy.ts).
   */
  @IsString() TRUST_PROXY = 'false';
  /** Guards admin routes (`/api/analytics` when keys are on): `Authorization: Bearer <token>` or `x-admin-token`. */
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(32) ADMIN_TOKEN?: string;
}

/** Validates the whole environment at once and reports every bad variable in one message. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const problems = validateSync(env, { whitelist: false, forbidUnknownValues: false }).map(describe);
  problems.push(...crossFieldProblems(env));
  if (problems.length > 0) throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
  return env;
}

/** The provider that serves: AI_PROVIDER, else gemini when a Gemini key is set, else the built-in one. */
export function resolveAiProvider(env: Pick<Environment, 'AI_PROVIDER' | 'GEMINI_API_KEY'>): AiProviderName {
  return env.AI_PROVIDER ?? (env.GEMINI_API_KEY ? 'gemini' : 'local');
}

/** Rules that involve several variables, or a format class-validator cannot express. */
function crossFieldProblems(env: Environment): string[] {
  const problems: string[] = [];
  const provider = resolveAiProvider(env);
  if (provider === 'gemini' && !env.GEMINI_API_KEY) {
    problems.push('  - AI_PROVIDER=gemini needs GEMINI_API_KEY (or choose AI_PROVIDER=local or openai)');
  }
  if (provider === 'openai' && !env.OPENAI_BASE_URL) {
    problems.push('  - AI_PROVIDER=openai needs OPENAI_BASE_URL (e.g. http://localhost:11434/v1 for Ollama)');
  }
  try {
    parseAllowedHosts(env.FETCH_ALLOWED_HOSTS);
  } catch (error) {
    problems.push(`  - ${(error as Error).message}`);
  }
  try {
    parseTrustProxy(env.TRUST_PROXY);
  } catch (error) {
    problems.push(`  - ${(error as Error).message}`);
  }
  return problems;
}

function describe(error: ValidationError): string {
  const problems = Object.values(error.constraints ?? {}).join('; ');
  return `  - ${error.property}=${JSON.stringify(error.value)}: ${problems}`;
}
