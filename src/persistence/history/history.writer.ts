import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { WORKER_REDIS } from '../../core/redis/redis.constants';
import { RedisKeys } from '../../core/redis/redis-keys';
import { withDeadline } from '../../core/runtime/with-deadline';
import type { ArchiveWrite } from '../archive/summary-archive.repository';
import { SummaryArchiveRepository } from '../archive/summary-archive.repository';
import type { Database } from '../database/database.types';
import { DATABASE } from '../persistence.constants';
import type { JobHistoryRecord } from './history-entry';
import { HistoryOutboxReader, type OutboxMessage } from './history-outbox.reader';
import { JobHistoryRepository } from './job-history.repository';

/** Settings of the writer; the defaults suit production, tests shorten the waits. */
export interface HistoryWriterOptions {
  /** Most entries per read and per PostgreSQL transaction (HISTORY_WRITER_BATCH_SIZE). */
  readonly batchSize: number;
  /** Longest blocking read of new entries. */
  readonly blockMs?: number;
  /** Entries another consumer left unacknowledged this long are taken over (that writer died). */
  readonly claimIdleMs?: number;
  /** How often to look for such entries. */
  readonly claimEveryMs?: number;
  /** Bound of one batch's transaction; past it the batch is retried. */
  readonly writeTimeoutMs?: number;
  /** Longest pause between retries while PostgreSQL (or Redis) fails. */
  readonly maxBackoffMs?: number;
}

export const HISTORY_WRITER_OPTIONS = Symbol('HISTORY_WRITER_OPTIONS');

class WriteTimeoutError extends Error {
  constructor(ms: number) {
    super(`PostgreSQL did not finish the batch within ${ms} ms`);
    this.name = 'WriteTimeoutError';
  }
}

/**
 * Drains the history outbox into PostgreSQL, in worker processes: reads up to a batch of entries as a member of the
 * stream's consumer group, writes their job_history rows and summary_archive entries in one transaction of upserts,
 * then acknowledges and deletes them. An entry leaves the stream only after its transaction committed, and every
 * write is an upsert, so nothing is lost and nothing is written twice, whatever fails in between:
 *
 * - PostgreSQL down or slow: the batch stays pending for this consumer and is retried with backoff (capped).
 * - This process dies: another writer takes its pending entries over after `claimIdleMs` (XAUTOCLAIM).
 * - A retried batch whose first try did commit: the upserts rewrite the same rows.
 */
@Injectable()
export class HistoryWriter implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HistoryWriter.name);
  private readonly reader: HistoryOutboxReader;
  /** A connection of its own: blocking reads would hold up every other command on a shared one. */
  private readonly connection: Redis;
  private readonly settings: Required<HistoryWriterOptions>;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  /** Rows written since start (job_history), for the benchmark and tests. */
  rowsWritten = 0;
  /** Entries PostgreSQL refused for their data, logged and dropped. */
  rowsRejected = 0;

  constructor(
    @Inject(WORKER_REDIS) redis: Redis,
    keys: RedisKeys,
    @Inject(DATABASE) private readonly db: Kysely<Database>,
    private readonly history: JobHistoryRepository,
    private readonly archive: SummaryArchiveRepository,
    @Inject(HISTORY_WRITER_OPTIONS) options: HistoryWriterOptions,
  ) {
    this.settings = {
      blockMs: 1_000,
      claimIdleMs: 60_000,
      claimEveryMs: 15_000,
      writeTimeoutMs: 30_000,
      maxBackoffMs: 10_000,
      ...options,
    };
    this.connection = redis.duplicate({ enableAutoPipelining: false });
    this.connection.on('error', () => undefined);
    this.reader = new HistoryOutboxReader(
      this.connection,
      keys.historyOutbox(),
      `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    );
  }

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  /**
   * Finishes the batch in hand (bounded by the write timeout), then closes its connection; what is left stays in the
   * stream for the next writer. Before the application's shutdown hooks, so the database pool is still open.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.running;
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private async run(): Promise<void> {
    let backoffMs = 0;
    let failing = false;
    let ownPendingFirst = true;
    let nextClaimAt = 0;
    let nextForgetAt = Date.now() + 600_000;
    let groupReady = false;
    const { batchSize, blockMs, claimIdleMs, claimEveryMs, maxBackoffMs } = this.settings;
    while (!this.stopping) {
      try {
        if (!groupReady) {
          await this.reader.ensureGroup();
          groupReady = true;
        }
        let messages: OutboxMessage[];
        if (Date.now() >= nextClaimAt) {
          messages = await this.reader.claimAbandoned(claimIdleMs, batchSize);
          // A full batch means a dead writer left more: claim again right after this batch, not in claimEveryMs.
          nextClaimAt = messages.length < batchSize ? Date.now() + claimEveryMs : 0;
        } else if (ownPendingFirst) {
          messages = await this.reader.readOwnPending(batchSize);
          if (messages.length === 0) ownPendingFirst = false;
        } else {
          messages = await this.reader.readNew(batchSize, blockMs);
        }
        if (messages.length > 0) {
          // Anything read is pending for this consumer until acknowledged: if the write fails, it is re-read from
          // this consumer's own pending list, oldest first.
          ownPendingFirst = true;
          await this.writeBatch(messages);
          await this.reader.acknowledge(messages.map(({ id }) => id));
        }
        if (Date.now() >= nextForgetAt) {
          nextForgetAt = Date.now() + 600_000;
          await this.reader.forgetIdleConsumers(3_600_000);
        }
        if (failing) this.logger.log('history writer recovered');
        failing = false;
        backoffMs = 0;
      } catch (error) {
        ownPendingFirst = true;
        backoffMs = Math.min(Math.max(backoffMs * 2, 200), maxBackoffMs);
        // Once per outage at warn, then at debug: the same message every few seconds would flood the log.
        if (!failing) this.logger.warn({ err: error }, 'history writer: write failed; retrying with backoff');
        else this.logger.debug({ err: error, backoff_ms: backoffMs }, 'history writer: still failing');
        failing = true;
        await this.pause(backoffMs);
      }
    }
  }

  /**
   * Writes the batch in one transaction. When PostgreSQL rejects its data (an entry it can never accept, e.g. a NUL
   * character in a text or an id that is not a UUID), the entries are written one by one instead and the rejected ones
   * are logged with their content and dropped: one bad entry must not hold every later row back for ever. Any other
   * error (connection, timeout, schema) is thrown, and the whole batch is retried.
   */
  private async writeBatch(messages: readonly OutboxMessage[]): Promise<void> {
    try {
      await this.write(messages);
      return;
    } catch (error) {
      if (!isDataError(error)) throw error;
    }
    for (const message of messages) {
      try {
        await this.write([message]);
      } catch (error) {
        if (!isDataError(error)) throw error;
        this.logger.error(
          { err: error, entry_id: message.id, entry: message.entry },
          'PostgreSQL rejected a history entry; dropping it',
        );
        this.rowsRejected++;
      }
    }
  }

  /** One transaction for the whole batch. Within it each job and each hash appears once (PostgreSQL requires it). */
  private async write(messages: readonly OutboxMessage[]): Promise<void> {
    const rows = new Map<string, JobHistoryRecord>();
    const archive = new Map<string, ArchiveWrite>();
    for (const { entry } of messages) {
      if (!entry?.row?.id) continue;
      rows.set(entry.row.id, entry.row);
      for (const { hash, result } of entry.archive) {
        const earlier = archive.get(hash);
        if (!earlier || earlier.at <= entry.row.finished_at) {
          archive.set(hash, { hash, result, at: entry.row.finished_at });
        }
      }
    }
    if (rows.size === 0 && archive.size === 0) return;
    const { writeTimeoutMs } = this.settings;
    await withDeadline(
      this.db.transaction().execute(async (trx) => {
        await this.history.upsert(trx, [...rows.values()]);
        await this.archive.upsert(trx, [...archive.values()]);
      }),
      writeTimeoutMs,
      () => new WriteTimeoutError(writeTimeoutMs),
    );
    this.rowsWritten += rows.size;
  }

  /** Waits `ms`, or less when shutdown starts. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

/**
 * PostgreSQL refused the data itself (SQLSTATE class 22, data exception, or 23, integrity constraint violation):
 * retrying the same entry cannot succeed. Connection failures, timeouts and schema errors are not data errors.
 */
function isDataError(error: unknown): boolean {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^2[23]/.test(code);
}
