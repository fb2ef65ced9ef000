import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../core/config/environment';
import { ContentFetcher } from './content-fetcher';

/** Builds the fetcher from the validated environment. */
export function contentFetcherFromConfig(config: ConfigService<Environment, true>): ContentFetcher {
  return new ContentFetcher({
    allowedHosts: config.get('FETCH_ALLOWED_HOSTS', { infer: true }),
    connectTimeoutMs: config.get('FETCH_CONNECT_TIMEOUT_MS', { infer: true }),
    timeoutMs: config.get('FETCH_TIMEOUT_MS', { infer: true }),
    maxBytes: config.get('FETCH_MAX_BYTES', { infer: true }),
    maxRedirects: config.get('FETCH_MAX_REDIRECTS', { infer: true }),
    minChars: config.get('CONTENT_MIN_CHARS', { infer: true }),
  });
}

/**
 * URL inputs: canonicalization, SSRF-safe fetching, article extraction. Exports {@link ContentFetcher}; the worker
 * injects it by class. Expects `ConfigModule` to be global (as the app module sets it up).
 */
@Module({
  providers: [{ provide: ContentFetcher, inject: [ConfigService], useFactory: contentFetcherFromConfig }],
  exports: [ContentFetcher],
})
export class ContentModule implements OnApplicationShutdown {
  constructor(@Inject(ContentFetcher) private readonly fetcher: ContentFetcher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.fetcher.close();
  }
}
