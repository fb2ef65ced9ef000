import { parseArgs } from 'node:util';
import { API_KEY_ID_FORMAT } from '../access/api-key-secret';
import type { NewApiKey } from '../access/api-key.repository';

/** Longest key name, in characters. */
export const MAX_NAME_LENGTH = 64;
/** Highest --rpm / --daily-jobs, as for RATE_LIMIT_RPM and DAILY_JOB_LIMIT. */
const MAX_LIMIT = 100_000_000;

export const USAGE = `usage:
  apikey create --name NAME [--rpm N] [--daily-jobs N] [--cache shared|private] [--json]
  apikey list [--json]
  apikey revoke ID

  --rpm N           requests per minute for this key (default: RATE_LIMIT_RPM; 0 = no limit)
  --daily-jobs N    new AI jobs per UTC day for this key (default: DAILY_JOB_LIMIT; 0 = no quota)
  --cache SCOPE     shared (default): the common cache; private: its own cache, deduplication and jobs
  --json            machine-readable output`;

export type ApiKeyCommand =
  | { readonly name: 'create'; readonly key: NewApiKey; readonly json: boolean }
  | { readonly name: 'list'; readonly json: boolean }
  | { readonly name: 'revoke'; readonly id: string };

/** A mistake in the command line: its message says what to fix (printed with the usage, exit code 1). */
export class UsageError extends Error {}

const NUMBER_OPTIONS = new Set(['--rpm', '--daily-jobs']);

/** Parses and checks `apikey …` arguments completely before anything touches Redis. */
export function parseApiKeyCommand(argv: readonly string[]): ApiKeyCommand {
  // parseArgs reads `--rpm -5` as a missing value; say what is really wrong.
  argv.forEach((arg, i) => {
    const next = argv[i + 1];
    if (NUMBER_OPTIONS.has(arg) && next !== undefined && /^-\d/.test(next))
      throw new UsageError(`${arg} must be a whole number from 0 to ${MAX_LIMIT}, not ${next}`);
  });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const allowed: Record<string, readonly string[]> = {
    create: ['name', 'rpm', 'daily-jobs', 'cache', 'json'],
    list: ['json'],
    revoke: [],
  };
  if (command === undefined) throw new UsageError('missing command: create, list or revoke');
  if (!(command in allowed)) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  const misplaced = Object.keys(values).filter((option) => !allowed[command].includes(option));
  if (misplaced.length > 0)
    throw new UsageError(`${command} does not take ${misplaced.map((option) => `--${option}`).join(', ')}`);

  if (command === 'revoke') {
    if (rest.length !== 1) throw new UsageError('revoke takes exactly one key id');
    const id = rest[0].trim().toLowerCase();
    if (!API_KEY_ID_FORMAT.test(id))
      throw new UsageError(
        `${JSON.stringify(rest[0])} is not a key id (16 hex digits, as \`apikey list\` shows)`,
      );
    return { name: 'revoke', id };
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (command === 'list') return { name: 'list', json: values.json === true };

  const name = checkName(values.name);
  const cache = values.cache ?? 'shared';
  if (cache !== 'shared' && cache !== 'private')
    throw new UsageError(`--cache must be shared or private, not ${JSON.stringify(cache)}`);
  const rpm = wholeNumber('--rpm', values.rpm);
  const dailyJobs = wholeNumber('--daily-jobs', values['daily-jobs']);
  return {
    name: 'create',
    key: {
      name,
      cache,
      ...(rpm !== undefined && { rpm }),
      ...(dailyJobs !== undefined && { dailyJobs }),
    },
    json: values.json === true,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      rpm: { type: 'string' },
      'daily-jobs': { type: 'string' },
      cache: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
}

function checkName(value: string | undefined): string {
  if (value === undefined) throw new UsageError('create needs --name NAME');
  const name = value.trim();
  if (name.length === 0) throw new UsageError('--name must not be empty');
  if ([...name].length > MAX_NAME_LENGTH)
    throw new UsageError(`--name is too long: at most ${MAX_NAME_LENGTH} characters`);
  if (/\p{Cc}/u.test(name)) throw new UsageError('--name must not contain control characters');
  return name;
}

function wholeNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) > MAX_LIMIT)
    throw new UsageError(
      `${option} must be a whole number from 0 to ${MAX_LIMIT}, not ${JSON.stringify(value)}`,
    );
  return Number(value);
}
