import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IRedisClient } from 'bullmq';
import type { Redis } from 'ioredis';
import { WORKER_REDIS } from '../../core/redis/redis.constants';
import { RedisKeys } from '../../core/redis/redis-keys';
import type { HistoryEntry } from './history-entry';

/** A connection to send the entry on: the worker passes the BullMQ connection that completes the job next. */
export type OutboxConnection = Pick<IRedisClient, 'xadd'>;

/** The stream field holding an entry's JSON. */
export const OUTBOX_FIELD = 'entry';

/**
 * The durable hand-off of finished jobs to PostgreSQL: a Redis stream (`history:outbox`) that the HistoryWriter
 * drains in batches. Recording costs the job one XADD it does not wait for, and PostgreSQL is never on its path: an
 * outage of PostgreSQL only makes the stream longer until the writer catches up.
 */
@Injectable()
export class HistoryOutbox {
  private readonly logger = new Logger(HistoryOutbox.name);
  private completionConnection: OutboxConnection | undefined;

  constructor(
    @Inject(WORKER_REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** The BullMQ connection that completes the worker's jobs (see {@link recordBeforeCompletion}). */
  bindCompletionConnection(connection: OutboxConnection): void {
    this.completionConnection = connection;
  }

  /**
   * Appends a completed job's entry on the connection that completes the job next, so Redis applies it first (as the
   * summary cache does): a crash cannot complete a job without its history row.
   */
  recordBeforeCompletion(entry: HistoryEntry): void {
    this.record(entry, this.completionConnection);
  }

  /**
   * Appends the entry without waiting. Never throws: a failed append is logged (the job's outcome is already decided
   * and stays in BullMQ's record). Sent on `connection` when given, so it is ordered with that connection's next
   * commands; otherwise on the workers' client, which waits out a Redis outage.
   */
  record(entry: HistoryEntry, connection?: OutboxConnection): void {
    const key = this.keys.historyOutbox();
    try {
      const json = JSON.stringify(entry);
      const sent = connection
        ? connection.xadd(key, '*', { [OUTBOX_FIELD]: json })
        : this.redis.xadd(key, '*', OUTBOX_FIELD, json);
      sent.catch((error: unknown) => this.failed(entry, error));
    } catch (error) {
      this.failed(entry, error);
    }
  }

  private failed(entry: HistoryEntry, error: unknown): void {
    this.logger.error({ job_id: entry.row.id, err: error }, 'could not hand the job to the history outbox');
  }
}
