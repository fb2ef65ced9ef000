import { BullModule } from '@nestjs/bullmq';
import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Environment } from '../core/config/environment';
import { REQUEST_REDIS, WORKER_REDIS } from '../core/redis/redis.constants';
import { RedisKeys } from '../core/redis/redis-keys';
import { AnalyticsHistoryController } from './analytics/analytics-history.controller';
import { AnalyticsHistoryService } from './analytics/analytics-history.service';
import { AnalyticsHourlyRepository } from './analytics/analytics-hourly.repository';
import { HourlyCountersRepository } from './analytics/hourly-counters.repository';
import { SummaryArchiveRepository } from './archive/summary-archive.repository';
import { createDatabase } from './database/database-connection';
import type { Database } from './database/database.types';
import { historyCursorCodecProvider } from './history/history-cursor.provider';
import { HistoryOutbox } from './history/history-outbox';
import { HISTORY_WRITER_OPTIONS, HistoryWriter, type HistoryWriterOptions } from './history/history.writer';
import { JobHistoryController } from './history/job-history.controller';
import { JobHistoryRepository } from './history/job-history.repository';
import { JobHistoryService } from './history/job-history.service';
import { HistoryRetentionService } from './maintenance/history-retention.service';
import { PersistenceMaintenanceProcessor } from './maintenance/persistence-maintenance.processor';
import { DATABASE, PERSISTENCE_MAINTENANCE_QUEUE } from './persistence.constants';

type Config = ConfigService<Environment, true>;

const databaseProvider: Provider = {
  provide: DATABASE,
  inject: [ConfigService],
  useFactory: (config: Config) => {
    const logger = new Logger('Database');
    return createDatabase(
      config.get('DATABASE_URL', { infer: true }) ?? '',
      {
        poolSize: config.get('DATABASE_POOL_SIZE', { infer: true }),
        // A pooled connection is waited for at most this long: under an outage the API's lookups give up in time.
        connectTimeoutMs: Math.max(config.get('DATABASE_TIMEOUT_MS', { infer: true }), 1_000),
        applicationName: `smartcache-${config.get('PROCESS_ROLE', { infer: true })}`,
      },
      (error) => logger.warn({ err: error }, 'PostgreSQL connection lost; it is replaced on next use'),
    );
  },
};

/**
 * PostgreSQL persistence, loaded only when DATABASE_URL is set (AppModule): job history, the summary archive, and
 * analytics over time. Global, so the submit, status and worker modules find its services as optional dependencies
 * without importing it (and run as before without it).
 *
 * - API processes: the archive lookup (SubmitService), `GET /api/jobs`, the status fallback, `GET /api/analytics/history`.
 * - Worker processes: the history outbox (SummarizeProcessor records finished jobs), the HistoryWriter draining it,
 *   and the scheduled maintenance (hourly analytics copy, retention).
 */
@Global()
@Module({})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Kysely<Database>) {}

  static register(env: Pick<Environment, 'PROCESS_ROLE'>): DynamicModule {
    const serveApi = env.PROCESS_ROLE !== 'worker';
    const runWorkers = env.PROCESS_ROLE !== 'api';
    const shared: Provider[] = [
      databaseProvider,
      JobHistoryRepository,
      SummaryArchiveRepository,
      AnalyticsHourlyRepository,
      {
        provide: HourlyCountersRepository,
        // The copy job runs in workers; an API-only process reads the current hour on its own client.
        inject: [runWorkers ? WORKER_REDIS : REQUEST_REDIS, RedisKeys],
        useFactory: (redis: Redis, keys: RedisKeys) => new HourlyCountersRepository(redis, keys),
      },
      AnalyticsHistoryService,
    ];
    const api: Provider[] = [JobHistoryService, historyCursorCodecProvider];
    const worker: Provider[] = [
      HistoryOutbox,
      {
        provide: HISTORY_WRITER_OPTIONS,
        inject: [ConfigService],
        useFactory: (config: Config): HistoryWriterOptions => ({
          batchSize: config.get('HISTORY_WRITER_BATCH_SIZE', { infer: true }),
        }),
      },
      HistoryWriter,
      HistoryRetentionService,
      PersistenceMaintenanceProcessor,
    ];
    return {
      module: PersistenceModule,
      imports: runWorkers
        ? [
            BullModule.registerQueue({
              name: PERSISTENCE_MAINTENANCE_QUEUE,
              defaultJobOptions: { removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
            }),
          ]
        : [],
      controllers: serveApi ? [JobHistoryController, AnalyticsHistoryController] : [],
      providers: [...shared, ...(serveApi ? api : []), ...(runWorkers ? worker : [])],
      exports: [
        DATABASE,
        SummaryArchiveRepository,
        ...(serveApi ? [JobHistoryService] : []),
        ...(runWorkers ? [HistoryOutbox, HistoryWriter, HistoryRetentionService] : []),
      ],
    };
  }

  /** After every other shutdown hook of the module's users (the writer stops before, see HistoryWriter). */
  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
  }
}
