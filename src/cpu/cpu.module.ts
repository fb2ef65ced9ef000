import { Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { join } from 'node:path';
import type { Environment } from '../core/config/environment';
import { CpuPool } from './cpu-pool';

/** DI tokens of the two pools: page extraction, and the built-in summarizer. */
export const EXTRACTION_POOL = Symbol('EXTRACTION_POOL');
export const SUMMARIZER_POOL = Symbol('SUMMARIZER_POOL');

/** Closes the pool's threads on shutdown, after the workers have stopped using it. */
class ClosingCpuPool extends CpuPool implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/**
 * A pool whose threads load `{name}.task.js` beside this file in the built service. Run from TypeScript sources (the
 * tests), the threads load `{name}.task.ts` through tsx, the loader the project's scripts already use.
 */
const pool = (token: symbol, name: string): Provider => ({
  provide: token,
  inject: [ConfigService],
  useFactory: (config: ConfigService<Environment, true>) => {
    const fromSource = __filename.endsWith('.ts');
    return new ClosingCpuPool({
      size: config.get('CPU_POOL_SIZE', { infer: true }),
      filename: join(__dirname, `${name}.task.${fromSource ? 'ts' : 'js'}`),
      execArgv: fromSource ? ['--import', 'tsx'] : [],
    });
  },
});

/**
 * The CPU pools of a worker process, `CPU_POOL_SIZE` threads each. Two, not one: pages that take long to parse
 * must not hold up text jobs waiting for the summarizer (and each thread loads only the code of its step).
 */
@Module({
  providers: [pool(EXTRACTION_POOL, 'extract'), pool(SUMMARIZER_POOL, 'summarize')],
  exports: [EXTRACTION_POOL, SUMMARIZER_POOL],
})
export class CpuModule {}
