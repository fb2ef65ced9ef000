import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The service's version, from package.json (three levels above this file in src/ and in dist/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
