import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { validateEnvironment } from '../core/config/environment';
import { ContentFetcher } from './content-fetcher';
import { ContentModule } from './content.module';

describe('ContentModule', () => {
  it('provides a ContentFetcher built from the environment, and closes it on shutdown', async () => {
    const env = validateEnvironment({ FETCH_ALLOWED_HOSTS: '127.0.0.1:8080', CONTENT_MIN_CHARS: '50' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: () => env }),
        ContentModule,
      ],
    }).compile();
    const fetcher = moduleRef.get(ContentFetcher);
    expect(fetcher).toBeInstanceOf(ContentFetcher);
    // Nothing is fetched: an invalid URL fails before any network access.
    await expect(fetcher.fetchArticle('ftp://example.com/')).rejects.toMatchObject({ kind: 'invalid-url' });
    await moduleRef.close();
  });

  it('refuses to start with a malformed FETCH_ALLOWED_HOSTS', async () => {
    // Start-up validation reports it with the other variables...
    expect(() => validateEnvironment({ FETCH_ALLOWED_HOSTS: 'no-port-here' })).toThrow(
      /FETCH_ALLOWED_HOSTS: "no-port-here" needs a port/,
    );
    // ...and the module refuses it too, should it get past that.
    const env = { ...validateEnvironment({}), FETCH_ALLOWED_HOSTS: 'no-port-here' };
    await expect(
      Test.createTestingModule({
        imports: [
          ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: () => env }),
          ContentModule,
        ],
      }).compile(),
    ).rejects.toThrow(/needs a port/);
  });
});
