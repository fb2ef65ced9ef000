import { Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CacheModule } from '../cache/cache.module';
import { SummarizeJobService } from './summarize-job.service';
import { SummarizeProcessor } from './summarize.processor';

@Module({
  imports: [AiModule, CacheModule, AnalyticsModule],
  providers: [SummarizeProcessor, SummarizeJobService],
})
export class WorkerModule {}
