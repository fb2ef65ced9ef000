import { Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CacheModule } from '../cache/cache.module';
import { ContentModule } from '../content/content.module';
import { SummarizeJobService } from './summarize-job.service';
import { SummarizeProcessor } from './summarize.processor';

@Module({
  imports: [AiModule, CacheModule, ContentModule, AnalyticsModule],
  providers: [SummarizeProcessor, SummarizeJobService],
})
export class WorkerModule {}
