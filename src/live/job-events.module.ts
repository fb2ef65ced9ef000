import { Module } from '@nestjs/common';
import { JobEventsHub } from './job-events.hub';

/** The job events of an API process (one QueueEvents subscription), for waiting submissions, SSE and WebSockets. */
@Module({
  providers: [JobEventsHub],
  exports: [JobEventsHub],
})
export class JobEventsModule {}
