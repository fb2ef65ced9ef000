import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../core/config/environment';
import type { CpuPool } from '../cpu/cpu-pool';
import { CpuModule, EXTRACTION_POOL } from '../cpu/cpu.module';
import { PooledArticleExtraction } from '../cpu/pooled-article-extraction';
import { ContentFetcher } from './content-fetcher';

/** Builds the fetcher from the validated environment; extraction runs in the CPU pool within EXTRACT_TIMEOUT_MS. */
export function contentFetcherFromConfig(
  config: ConfigService<Environment, true>,
  pool: CpuPool,
): ContentFetcher {
  const minChars = config.get('CONTENT_MIN_CHARS', { infer: true });
  return new ContentFetcher({
    allowedHosts: config.get('FETCH_ALLOWED_HOSTS', { infer: true }),
    connectTimeoutMs: config.get('FETCH_CONNECT_TIMEOUT_MS', { infer: true }),
    timeoutMs: config.get('FETCH_TIMEOUT_MS', { infer: true }),
    maxBytes: config.get('FETCH_MAX_BYTES', { infer: true }),
    maxRedirects: config.get('FETCH_MAX_REDIRECTS', { infer: true }),
    minChars,
    extraction: new PooledArticleExtraction(pool, {
      minChars,
      budgetMs: config.get('EXTRACT_TIMEOUT_MS', { infer: true }),
    }),
  });
}

/**
 * URL inputs: canonicalization, SSRF-safe fetching, article extraction. Exports {@link ContentFetcher}; the worker
 * injects it by class. Expects `ConfigModule` to be global (as the app module sets it up).
 */
@Module({
  imports: [CpuModule],
  providers: [
    {
      provide: ContentFetcher,
      inject: [ConfigService, EXTRACTION_POOL],
      useFactory: contentFetcherFromConfig,
    },
  ],
  exports: [ContentFetcher],
})
export class ContentModule implements OnApplicationShutdown {
  constructor(@Inject(ContentFetcher) private readonly fetcher: ContentFetcher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.fetcher.close();
  }
}
