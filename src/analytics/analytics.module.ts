import { Module } from '@nestjs/common';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsHook } from './analytics.hook';
import { AnalyticsRepository } from './analytics.repository';
import { AnalyticsService } from './analytics.service';

@Module({
  controllers: [AnalyticsController],
  providers: [AnalyticsRepository, AnalyticsService, AnalyticsHook],
  exports: [AnalyticsRepository, AnalyticsHook, AnalyticsService],
})
export class AnalyticsModule {}
