import { Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CacheModule } from '../cache/cache.module';
import { JobKeys } from '../jobs/job-key';
import { JobEventsModule } from '../live/job-events.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { SubmitRoute } from './submit.route';
import { SubmitService } from './submit.service';

@Module({
  imports: [
    AiModule.forApi(),
    CacheModule.forApi(),
    AnalyticsModule.forApi(),
    JobEventsModule,
    WebhooksModule.forApi(),
  ],
  providers: [JobKeys, SubmitService, SubmitRoute],
  // For the WebSocket submit (live/) and the benchmark's route variant (scripts/bench/controller-variant.ts).
  exports: [SubmitService],
})
export class SubmitModule {}
