import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { AI_CALL_OBSERVER } from '../ai/ai-call-observer';
import { AdminModule } from '../admin/admin.module';
import type { Environment } from '../core/config/environment';
import { SummarizeJobRepository } from '../jobs/summarize-job.repository';
import { AiCallTracer } from '../tracing/ai-call.tracer';
import { AiCallMetrics } from './ai-call.metrics';
import { HttpMetricsHook } from './http-metrics.hook';
import { JobMetrics } from './job.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';
import { QueueCountsCache } from './queue-counts.cache';
import { WorkerMetricsServer } from './worker-metrics.server';

const registry: Provider = {
  provide: MetricsRegistry,
  inject: [SummarizeJobRepository],
  useFactory: (jobs: SummarizeJobRepository) => {
    const metrics = new MetricsRegistry();
    metrics.watchQueue(new QueueCountsCache(() => jobs.countsByState()));
    return metrics;
  },
};

/**
 * Prometheus metrics of this process (global: the request path, the worker and the AI layer count into it). Serving
 * them: `GET /metrics` on the API's port in processes that serve the API, else (`PROCESS_ROLE=worker`) a server of its
 * own on `METRICS_PORT`. The AI layer's observer also makes the AI call's trace span.
 */
@Global()
@Module({})
export class MetricsModule {
  static register(env: Environment): DynamicModule {
    const servesApi = env.PROCESS_ROLE !== 'worker';
    return {
      module: MetricsModule,
      imports: servesApi ? [AdminModule] : [],
      controllers: servesApi ? [MetricsController] : [],
      providers: [
        registry,
        JobMetrics,
        {
          provide: AI_CALL_OBSERVER,
          inject: [MetricsRegistry],
          useFactory: (metrics: MetricsRegistry) => new AiCallMetrics(metrics, new AiCallTracer()),
        },
        ...(servesApi ? [HttpMetricsHook] : [WorkerMetricsServer]),
      ],
      exports: [MetricsRegistry, JobMetrics, AI_CALL_OBSERVER],
    };
  }
}
