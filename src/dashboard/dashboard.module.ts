import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { AnalyticsSampler } from './analytics-sampler';
import { DashboardEventsService } from './dashboard-events.service';
import { DashboardController } from './dashboard.controller';

/** The live analytics page, its event stream and the 1 Hz sampler that feeds both (HTTP-serving processes only). */
@Module({
  imports: [AnalyticsModule.forApi(), AdminModule],
  controllers: [DashboardController],
  providers: [AnalyticsSampler, DashboardEventsService],
})
export class DashboardModule {}
