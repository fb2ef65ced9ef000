import { Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CacheModule } from '../cache/cache.module';
import { SubmitRoute } from './submit.route';
import { SubmitService } from './submit.service';

@Module({
  imports: [AiModule, CacheModule, AnalyticsModule],
  providers: [SubmitService, SubmitRoute],
})
export class SubmitModule {}
