import { Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { AnalyticsRepository } from '../analytics/analytics.repository';
import { SummaryCacheRepository } from '../cache/summary-cache.repository';
import { ContentModule } from '../content/content.module';
import { REDIS_CLIENT, WORKER_REDIS_CLIENT } from '../core/redis/redis.constants';
import { SummarizeJobService } from './summarize-job.service';
import { SummarizeProcessor } from './summarize.processor';

/**
 * The job side. Its repositories are its own instances, wired to the workers' Redis client (which waits out an
 * outage) instead of the request path's (which fails fast): a summary already paid for must not be lost to a blip.
 */
@Module({
  imports: [AiModule, ContentModule],
  providers: [
    { provide: REDIS_CLIENT, useExisting: WORKER_REDIS_CLIENT },
    SummaryCacheRepository,
    AnalyticsRepository,
    SummarizeProcessor,
    SummarizeJobService,
  ],
})
export class WorkerModule {}
