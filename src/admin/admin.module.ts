import { Module } from '@nestjs/common';
import { WebhooksQueueModule } from '../webhooks/webhooks.module';
import { AdminGuard } from './admin.guard';
import { QueueBoardRoute } from './queue-board.route';

/** Operator access (the admin token) and the queue dashboard; other modules guard their routes with AdminGuard. */
@Module({
  imports: [WebhooksQueueModule],
  providers: [AdminGuard, QueueBoardRoute],
  exports: [AdminGuard],
})
export class AdminModule {}
