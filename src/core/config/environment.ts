import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, Matches, validateSync, type ValidationError } from 'class-validator';
import { availableParallelism } from 'node:os';
import {
  Bool,
  Decimal,
  DurationSeconds,
  Int,
  OneOf,
  OptionalString,
  UrlWith,
  WebhookSecret,
} from './env-decorators';
import { parseHostPortList } from './host-port-list';
import { parsePrices } from './price-list';
import { parseTrustProxy } from '../http/trust-proxy';

export type ProcessRole = 'all' | 'api' | 'worker';
export type AiProviderName = 'local' | 'gemini' | 'openai';
export type LogFormat = 'json' | 'pretty';
/** OTLP over HTTP; gRPC is not shipped (one exporter dependency less, and every collector takes HTTP). */
export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type TraceSampler =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const TRACE_SAMPLERS: readonly TraceSampler[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

const AI_PROVIDERS: readonly AiProviderName[] = ['local', 'gemini', 'openai'];

/**
 * Every environment variable the service reads, with its default. Validated once at start-up; the rest of the code
 * reads these through `ConfigService<Environment, true>` and never touches `process.env`. An empty value means unset
 * (the default applies), as in `.env.example`.
 */
export class Environment {
  /** HTTP port of the API (0: any free port). */
  @Int(0, 65535) PORT = 8080;
  /** Interface the API listens on. */
  @IsString() HOST = '0.0.0.0';
  /** `all` serves the API and runs workers; `api` only serves; `worker` only processes jobs. */
  @OneOf(['all', 'api', 'worker']) PROCESS_ROLE: ProcessRole = 'all';

  /** Redis (or Valkey) holding the cache, the queue and the analytics. */
  @UrlWith(['redis', 'rediss'], 'redis://localhost:6379 (redis://:password@host:6379 with a password)')
  REDIS_URL = 'redis://localhost:6379';
  /** Prepended to every key (cache, analytics and queue), so several deployments or test runs share one Redis. */
  @Matches(/^[A-Za-z0-9_.-]*:?$/, { message: 'may only hold letters, digits, _ . - and a final :' })
  REDIS_KEY_PREFIX = '';

  /** Seconds a summary stays cached. */
  @Int(1) CACHE_TTL = 300;
  /** Seconds a summary made by the local fallback (after a remote provider failed) stays cached. */
  @Int(1) FALLBACK_CACHE_TTL = 60;
  /** Largest accepted request body, in bytes (a batch's too). */
  @Int(1024) MAX_INPUT_BYTES = 1_048_576;
  /** Most inputs of one `POST /api/submit/batch`. */
  @Int(1, 10_000) BATCH_MAX_INPUTS = 100;

  /** Jobs one process works on at once. */
  @Int(1, 1000) WORKER_COUNT = 3;
  /** Attempts per job for failures worth retrying (timeouts, 5xx, resets). */
  @Int(1, 20) JOB_ATTEMPTS = 3;
  /** First retry delay; doubles on each further attempt. */
  @Int(0) JOB_BACKOFF_MS = 1000;
  /** How long a worker's lock on a job lasts without renewal; a killed worker's job is recovered after it. */
  @Int(1000) JOB_LOCK_MS = 30_000;
  /** How often workers look for jobs whose worker died. */
  @Int(1000) STALLED_INTERVAL_MS = 30_000;
  /** Finished jobs are kept this many seconds (and at most JOB_RETENTION_COUNT of them) for `GET /api/status`. */
  @Int(1) JOB_RETENTION_SECONDS = 86_400;
  @Int(1) JOB_RETENTION_COUNT = 10_000;
  /** Longest wait for running jobs on SIGTERM/SIGINT before the process exits anyway. */
  @Int(0) SHUTDOWN_TIMEOUT_MS = 10_000;
  /** Worker threads for CPU-heavy steps (page extraction, the built-in summarizer); default: the machine's cores. */
  @Int(1, 256) CPU_POOL_SIZE = availableParallelism();
  /** Longest a page's extraction may run in its thread before the thread is stopped and the job fails. */
  @Int(100) EXTRACT_TIMEOUT_MS = 10_000;
  /** Longest the built-in summarizer may run on one input before its thread is stopped and the job fails. */
  @Int(100) SUMMARIZE_TIMEOUT_MS = 10_000;

  /** `local`, `gemini` or `openai`; default `gemini` when GEMINI_API_KEY is set, else `local`. */
  @IsOptional() @OneOf(AI_PROVIDERS) AI_PROVIDER?: AiProviderName;
  @OptionalString() GEMINI_API_KEY?: string;
  /**
   * The newest stable Flash-Lite (the cheapest tier, enough for 2–3 sentence summaries): `gemini-3.5-flash-lite`,
   * GA on 2026-07-21 (ai.google.dev/gemini-api/docs/changelog) and the replacement Google's deprecations page names
   * for `gemini-2.5-flash`, the former default, shut down on 2026-12-01.
   */
  @IsString() GEMINI_MODEL = 'gemini-3.5-flash-lite';
  /** Overrides the Gemini API address (proxies, tests). */
  @IsOptional()
  @UrlWith(['http', 'https'], 'https://generativelanguage.googleapis.com')
  GEMINI_BASE_URL?: string;
  @IsOptional() @UrlWith(['http', 'https'], 'http://localhost:11434/v1') OPENAI_BASE_URL?: string;
  @OptionalString() OPENAI_API_KEY?: string;
  @IsString() OPENAI_MODEL = 'gpt-4o-mini';
  /** Timeout of one AI call. */
  @Int(100) AI_TIMEOUT_MS = 30_000;
  /** Inputs longer than this many tokens (estimated) are cut before the call. */
  @Int(100) AI_MAX_INPUT_TOKENS = 8_000;
  /** `local` summarizes locally when the remote provider fails for good; `none` fails the job. */
  @OneOf(['none', 'local']) AI_FALLBACK: 'none' | 'local' = 'none';
  /** AI calls per second across all workers; 0 means no limit. */
  @Int(0) AI_MAX_RPS = 0;
  /** Most short inputs summarized by one remote call; 1 turns batching off. At most MAX_BATCH_ITEMS (64). */
  @Int(1, 64) AI_BATCH_SIZE = 8;
  /** Longest a lone input waits for others to share its call. */
  @Int(0, 10_000) AI_BATCH_WAIT_MS = 50;
  /**
   * Inputs estimated above this many tokens go alone (the single call of today). 1,000 keeps a full default batch
   * (8 × 1,000) within the default AI_MAX_INPUT_TOKENS of one single call, while the inputs batching pays off for
   * (short ones, whose prompt and schema cost as much as the text) all fit.
   */
  @Int(1) AI_BATCH_MAX_INPUT_TOKENS = 1_000;
  /** Prices merged over the built-in ones: `{"<model>": {"input": <USD/1M tokens>, "output": <USD/1M tokens>}}`. */
  @IsString() AI_PRICES = '';
  /** Remote AI spend allowed per UTC day, in USD; unset means no limit (0 is a budget: no remote calls). */
  @IsOptional() @Decimal(0) AI_DAILY_BUDGET_USD?: number;

  /** DANGEROUS: `host:port` pairs fetched even though they resolve to non-public addresses (tests, private deployments). */
  @IsString() FETCH_ALLOWED_HOSTS = '';
  @Int(100) FETCH_CONNECT_TIMEOUT_MS = 5_000;
  /** Whole fetch: DNS, connects, headers, redirects and body. */
  @Int(100) FETCH_TIMEOUT_MS = 15_000;
  @Int(1024) FETCH_MAX_BYTES = 5_242_880;
  @Int(0, 20) FETCH_MAX_REDIRECTS = 5;
  /** Extracted text shorter than this fails the job (empty pages, login walls). */
  @Int(1) CONTENT_MIN_CHARS = 200;

  /**
   * Signs webhook deliveries (Standard Webhooks): `whsec_` and the base64 of a random key of at least 24 bytes. Unset:
   * webhooks are off and a `callback_url` is refused (400). Every API and worker process needs the same value.
   */
  @IsOptional() @WebhookSecret(24) WEBHOOK_SECRET?: string;
  /** Attempts per webhook delivery; timeouts, connection errors and non-2xx answers (redirects too) are retried. */
  @Int(1, 30) WEBHOOK_MAX_ATTEMPTS = 8;
  /** One delivery attempt: connect, answer headers and body. */
  @Int(100, 120_000) WEBHOOK_TIMEOUT_MS = 10_000;
  /**
   * First retry delay of a delivery; each further one doubles it (minus up to 20 % jitter). With the defaults the 8
   * attempts go out at about 0, 10 s, 30 s, 1 min 10 s, 2.5 min, 5 min, 10.5 min and 21 min (docs/webhooks.md).
   */
  @Int(0) WEBHOOK_BACKOFF_MS = 10_000;
  /**
   * How often a delivery whose job has not ended looks again. Workers announce a job's end at once; this is the
   * fallback when that announcement was lost (a worker killed right after completing the job).
   */
  @Int(100) WEBHOOK_RECHECK_MS = 30_000;
  /** Deliveries one worker process sends at once. */
  @Int(1, 1000) WEBHOOK_CONCURRENCY = 10;

  @OneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  /** `json` (one object a line, for machines) or `pretty` (for people); default pretty on a terminal, else json. */
  @IsOptional() @OneOf(['json', 'pretty']) LOG_FORMAT?: LogFormat;

  /**
   * Opens the operator pages: `/admin/queues` exists only when it is set, and it and `/dashboard` then answer only
   * requests carrying it (`Authorization: Bearer …`, or HTTP Basic with it as the password). With API_KEYS_REQUIRED
   * it also guards `/api/analytics`, `/api/jobs` and `/api/analytics/history`; unset, those and `/dashboard` are then
   * closed (401). Printable ASCII, no spaces (it travels in a header), long enough not to be guessed.
   */
  @IsOptional()
  @Matches(/^[\x21-\x7E]{16,512}$/, {
    message: 'must be 16 to 512 printable ASCII characters without spaces',
  })
  ADMIN_TOKEN?: string;

  /** Port of the `/metrics` server of a `PROCESS_ROLE=worker` process (processes that serve the API use PORT). */
  @Int(0, 65535) METRICS_PORT = 9464;

  // OpenTelemetry traces: the standard variables (opentelemetry.io/docs/specs/otel/configuration/sdk-environment-
  // variables). Validated here with the rest; the OTLP exporter itself reads its own (endpoint, headers, timeout,
  // compression, certificates) as the specification says. Traces are off unless an endpoint or the exporter is set.
  /** `true` keeps traces off whatever else is set. */
  @Bool() OTEL_SDK_DISABLED = false;
  /** `otlp` turns traces on (to http://localhost:4318 without an endpoint); `none` keeps them off. */
  @IsOptional() @OneOf(['otlp', 'none']) OTEL_TRACES_EXPORTER?: 'otlp' | 'none';
  /** Base URL of an OTLP/HTTP receiver (`/v1/traces` is appended); setting it turns traces on. */
  @IsOptional()
  @UrlWith(['http', 'https'], 'http://otel-collector:4318')
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  /** The traces URL itself, used as given; setting it turns traces on. */
  @IsOptional()
  @UrlWith(['http', 'https'], 'http://otel-collector:4318/v1/traces')
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  /** `http/protobuf` (default) or `http/json`. */
  @IsOptional() @OneOf(OTLP_PROTOCOLS) OTEL_EXPORTER_OTLP_PROTOCOL?: OtlpProtocol;
  /** Overrides OTEL_EXPORTER_OTLP_PROTOCOL for traces. */
  @IsOptional() @OneOf(OTLP_PROTOCOLS) OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?: OtlpProtocol;
  /** The service name of every span (default `smartcache-ai`); OTEL_RESOURCE_ATTRIBUTES adds attributes. */
  @OptionalString() OTEL_SERVICE_NAME?: string;
  @OptionalString() OTEL_RESOURCE_ATTRIBUTES?: string;
  /** Which traces are kept (default `parentbased_always_on`: every trace a caller did not decide against). */
  @IsOptional() @OneOf(TRACE_SAMPLERS) OTEL_TRACES_SAMPLER?: TraceSampler;
  /** The ratio of the `*traceidratio` samplers, from 0 to 1 (default 1). */
  @IsOptional() @Decimal(0, 1) OTEL_TRACES_SAMPLER_ARG?: number;
  /** Longest a finished span waits before it is exported, in ms. */
  @Int(0) OTEL_BSP_SCHEDULE_DELAY = 5_000;

  /**
   * PostgreSQL for the job history, the summary archive and analytics over time (`postgres://user:pass@host/db`).
   * Unset: persistence is off and the service runs on Redis alone.
   */
  @IsOptional()
  @UrlWith(['postgres', 'postgresql'], 'postgres://user:password@localhost:5432/smartcache')
  DATABASE_URL?: string;
  /** Deadline of a PostgreSQL call on the request path (archive lookup); past it the API goes on without. */
  @Int(10, 60_000) DATABASE_TIMEOUT_MS = 250;
  /** Connections per process to PostgreSQL. */
  @Int(1, 100) DATABASE_POOL_SIZE = 10;
  /** How long an archived summary answers for its input (seconds; `30d`, `12h`, `15m` accepted). */
  @DurationSeconds() ARCHIVE_MAX_AGE = 30 * 86_400;
  /** Job history rows (and hourly analytics) older than this many days are deleted. */
  @Int(1) HISTORY_RETENTION_DAYS = 90;
  /**
   * Most outbox entries the history writer puts in one PostgreSQL transaction. At most 2,000: one INSERT carries 25
   * parameters per row, and PostgreSQL takes at most 65,535 per statement.
   */
  @Int(1, 2_000) HISTORY_WRITER_BATCH_SIZE = 500;

  /** `true`: every /api route needs an API key (`Authorization: Bearer sk_…` or `x-api-key`); docs/access.md. */
  @Bool() API_KEYS_REQUIRED = false;
  /**
   * Requests per minute per client (sliding window): per API key when keys are on (a key's own `--rpm` wins), per
   * client IP when they are off. 0 = no limit, the default, so a local install and the benchmarks are unlimited.
   */
  @Int(0, 100_000_000) RATE_LIMIT_RPM = 0;
  /** New AI jobs per API key and UTC day (a key's own `--daily-jobs` wins); 0 = no quota. Only with keys on. */
  @Int(0, 100_000_000) DAILY_JOB_LIMIT = 1_000;
  /**
   * Whether to believe X-Forwarded-For for the client IP (per-IP limits): `false`, `true` (any proxy), or a comma list
   * of proxy addresses/CIDRs. Fastify's `trustProxy` (core/http/trust-proxy.ts).
   */
  @IsString() TRUST_PROXY = 'false';
}

/** Variables whose values are never echoed: API keys, secrets, tokens, passwords (not REDIS_KEY_PREFIX). */
const SECRET = /_API_KEY$|SECRET|TOKEN|PASSWORD/;

/** Validates the whole environment at once and reports every bad variable in one message. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  // An empty value means "unset", so the default applies (`PORT=` must not mean port 0).
  const given = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => !(typeof value === 'string' && value.trim() === '')),
  );
  const env = plainToInstance(Environment, given, { exposeDefaultValues: true });
  const problems = validateSync(env, { whitelist: false, forbidUnknownValues: false }).map((error) =>
    describe(error, given[error.property]),
  );
  problems.push(...crossFieldProblems(env));
  if (problems.length > 0) throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
  return env;
}

/** The provider that serves: AI_PROVIDER, else gemini when a Gemini key is set, else the built-in one. */
export function resolveAiProvider(env: Pick<Environment, 'AI_PROVIDER' | 'GEMINI_API_KEY'>): AiProviderName {
  return env.AI_PROVIDER ?? (env.GEMINI_API_KEY ? 'gemini' : 'local');
}

/**
 * How many inputs one AI call may carry: AI_BATCH_SIZE with a remote provider (micro-batching), 1 with the built-in
 * summarizer (never batched). Workers run this many times WORKER_COUNT jobs at once, so batches can fill.
 */
export function aiInputsPerCall(
  env: Pick<Environment, 'AI_PROVIDER' | 'GEMINI_API_KEY' | 'AI_BATCH_SIZE'>,
): number {
  return resolveAiProvider(env) === 'local' ? 1 : env.AI_BATCH_SIZE;
}

/**
 * Job starts per second across every worker that keep AI calls under AI_MAX_RPS (0: no limit): with batching, a call
 * carries up to AI_BATCH_SIZE jobs, so that many more jobs may start (an approximation when batches are not full).
 */
export function jobStartsPerSecond(
  env: Pick<Environment, 'AI_PROVIDER' | 'GEMINI_API_KEY' | 'AI_BATCH_SIZE' | 'AI_MAX_RPS'>,
): number {
  return env.AI_MAX_RPS * aiInputsPerCall(env);
}

/** Rules that involve several variables, or a format class-validator cannot express. The one place they live. */
function crossFieldProblems(env: Environment): string[] {
  const problems: string[] = [];
  const provider = AI_PROVIDERS.includes(env.AI_PROVIDER as AiProviderName)
    ? resolveAiProvider(env)
    : undefined;
  if (provider === 'gemini' && !env.GEMINI_API_KEY) {
    problems.push('  - AI_PROVIDER=gemini needs GEMINI_API_KEY (or choose AI_PROVIDER=local or openai)');
  }
  if (provider === 'openai' && !env.OPENAI_BASE_URL) {
    problems.push(
      '  - AI_PROVIDER=openai needs OPENAI_BASE_URL (e.g. https://api.openai.com/v1, or http://localhost:11434/v1 for Ollama)',
    );
  }
  try {
    parsePrices(env.AI_PRICES);
  } catch (error) {
    problems.push(`  - ${(error as Error).message}`);
  }
  if (env.DATABASE_URL !== undefined && !URL.canParse(env.DATABASE_URL)) {
    problems.push('  - DATABASE_URL is not a valid URL (percent-encode special characters of the password)');
  }
  try {
    parseHostPortList(env.FETCH_ALLOWED_HOSTS);
  } catch (error) {
    problems.push(`  - FETCH_ALLOWED_HOSTS: ${(error as Error).message}`);
  }
  try {
    parseTrustProxy(env.TRUST_PROXY);
  } catch (error) {
    problems.push(`  - ${(error as Error).message}`);
  }
  return problems;
}

/** One line per variable: its name, the value as given (secrets masked), and what it must be. */
function describe(error: ValidationError, given: unknown): string {
  const messages = [...new Set(Object.values(error.constraints ?? {}))].join('; ');
  return `  - ${error.property}=${JSON.stringify(printable(error.property, given))}: ${messages}`;
}

function printable(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (SECRET.test(name)) return '***';
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}
