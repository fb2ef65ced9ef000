import { Processor } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CacheModule } from '../cache/cache.module';
import { ContentModule } from '../content/content.module';
import type { Environment } from '../core/config/environment';
import { JobKeys } from '../jobs/job-key';
import { SUMMARIZE_QUEUE } from '../jobs/queue.constants';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { SummarizeJobService } from './summarize-job.service';
import { AiBudgetGate } from './ai-budget.gate';
import { SummarizeProcessor, summarizeWorkerOptions } from './summarize.processor';

/**
 * The job side. Its cache and analytics repositories are the workers' ones (`forWorker()`: on the Redis client that
 * waits out an outage, so a summary already paid for is not lost to a blip).
 */
@Module({})
export class WorkerModule {
  /**
   * The processor is declared here, with the BullMQ worker options of this configuration: `@Processor` options are
   * fixed where the decorator is applied, so a subclass per registration carries them (each app built in one process,
   * as the tests do, keeps its own).
   */
  static register(env: Environment): DynamicModule {
    @Processor(SUMMARIZE_QUEUE, summarizeWorkerOptions(env))
    class ConfiguredSummarizeProcessor extends SummarizeProcessor {}

    return {
      module: WorkerModule,
      imports: [
        AiModule.forWorker(),
        CacheModule.forWorker(),
        AnalyticsModule.forWorker(),
        ContentModule,
        WebhooksModule.forWorker(env),
      ],
      providers: [
        { provide: SummarizeProcessor, useClass: ConfiguredSummarizeProcessor },
        SummarizeJobService,
        AiBudgetGate,
        JobKeys,
      ],
    };
  }
}
