import { describe, expect, it } from 'vitest';
import { parseApiKeyCommand, UsageError } from './apikey-command';

const refused = (args: string[]) => {
  try {
    parseApiKeyCommand(args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected ${args.join(' ')} to be refused`);
};

describe('parseApiKeyCommand', () => {
  it('parses create with every option, list and revoke', () => {
    expect(
      parseApiKeyCommand([
        'create',
        '--name',
        ' ci bot ',
        '--rpm',
        '300',
        '--daily-jobs=0',
        '--cache',
        'private',
      ]),
    ).toEqual({
      name: 'create',
      key: { name: 'ci bot', rpm: 300, dailyJobs: 0, cache: 'private' },
      json: false,
    });
    expect(parseApiKeyCommand(['create', '--name', 'x', '--json'])).toEqual({
      name: 'create',
      key: { name: 'x', cache: 'shared' },
      json: true,
    });
    expect(parseApiKeyCommand(['list'])).toEqual({ name: 'list', json: false });
    expect(parseApiKeyCommand(['revoke', '0123456789ABCDEF'])).toEqual({
      name: 'revoke',
      id: '0123456789abcdef',
    });
  });

  it('refuses bad input with a message that names the problem', () => {
    expect(refused([])).toMatch(/missing command/);
    expect(refused(['delete'])).toMatch(/unknown command/);
    expect(refused(['create'])).toMatch(/--name/);
    expect(refused(['create', '--name'])).toMatch(/--name/);
    expect(refused(['create', '--name', '   '])).toMatch(/empty/);
    expect(refused(['create', '--name', 'x'.repeat(65)])).toMatch(/too long/);
    expect(refused(['create', '--name', 'a\u0007b'])).toMatch(/control/);
    expect(refused(['create', '--name', 'x', '--rpm', '-5'])).toMatch(/--rpm must be a whole number.*-5/);
    expect(refused(['create', '--name', 'x', '--rpm=-5'])).toMatch(/--rpm must be a whole number/);
    expect(refused(['create', '--name', 'x', '--rpm', '2.5'])).toMatch(/--rpm must be a whole number/);
    expect(refused(['create', '--name', 'x', '--rpm', 'lots'])).toMatch(/--rpm/);
    expect(refused(['create', '--name', 'x', '--daily-jobs', '100000001'])).toMatch(/--daily-jobs/);
    expect(refused(['create', '--name', 'x', '--cache', 'public'])).toMatch(
      /--cache must be shared or private/,
    );
    expect(refused(['create', '--name', 'x', '--colour', 'red'])).toMatch(/Unknown option '--colour'/);
    expect(refused(['create', '--name', 'x', 'extra'])).toMatch(/unexpected argument/);
    expect(refused(['list', '--name', 'x'])).toMatch(/list does not take --name/);
    expect(refused(['revoke'])).toMatch(/exactly one key id/);
    expect(refused(['revoke', 'abc'])).toMatch(/not a key id/);
    expect(refused(['revoke', '0123456789abcdef', '0123456789abcdef'])).toMatch(/exactly one/);
  });
});
