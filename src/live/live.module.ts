import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { SubmitModule } from '../submit/submit.module';
import { JobEventsController } from './job-events.controller';
import { JobEventsModule } from './job-events.module';
import { LiveConnections } from './live-connections';
import { LiveSocketServer } from './live-socket.server';

/**
 * Live job updates of an API process: Server-Sent Events (`GET /api/status/:job_id/events`) and the WebSocket
 * (`/api/ws`), both fed by the JobEventsHub, and closed with a last word on shutdown.
 */
@Module({
  imports: [JobEventsModule, SubmitModule, AnalyticsModule.forApi()],
  controllers: [JobEventsController],
  providers: [LiveConnections, LiveSocketServer],
})
export class LiveModule {}
