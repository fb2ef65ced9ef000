import { Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CacheModule } from '../cache/cache.module';
import { SubmitController } from './submit.controller';
import { SubmitService } from './submit.service';

@Module({
  imports: [AiModule, CacheModule, AnalyticsModule],
  controllers: [SubmitController],
  providers: [SubmitService],
})
export class SubmitModule {}
