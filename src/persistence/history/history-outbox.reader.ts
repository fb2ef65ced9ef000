import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { withDeadline } from '../../core/runtime/with-deadline';
import { REDIS_COMMAND_TIMEOUT_MS } from '../../core/redis/redis-connection';
import type { HistoryEntry } from './history-entry';
import { OUTBOX_FIELD } from './history-outbox';

/** The outbox's consumer group; renaming it strands the entries pending in the old one. */
export const HISTORY_WRITER_GROUP = 'history-writer';

/** An entry read from the stream: its stream id (to acknowledge) and its content (null when unreadable). */
export interface OutboxMessage {
  readonly id: string;
  readonly entry: HistoryEntry | null;
}

type StreamEntries = Array<[id: string, fields: string[] | null]>;
/** XREADGROUP's reply (RESP2 shape; ioredis gives RESP3 maps that shape too): one stream, or null. */
type StreamReply = Array<[stream: string, entries: StreamEntries]> | null;

class OutboxTimeoutError extends Error {
  constructor(what: string) {
    super(`Redis did not answer ${what} in time`);
    this.name = 'OutboxTimeoutError';
  }
}

/**
 * The consumer side of the history outbox, for one consumer of the group: reads new entries (blocking), re-reads its
 * own unacknowledged ones, takes over those of consumers that died, and acknowledges what was written. Every call
 * has a deadline; blocking reads run on the connection given, which must be this reader's alone.
 */
export class HistoryOutboxReader {
  private readonly logger = new Logger(HistoryOutboxReader.name);

  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    readonly consumer: string,
  ) {}

  /** Creates the group (from the stream's start, so entries added before any writer ran are read too). */
  async ensureGroup(): Promise<void> {
    try {
      await this.bounded(
        this.redis.xgroup('CREATE', this.stream, HISTORY_WRITER_GROUP, '0', 'MKSTREAM'),
        'XGROUP',
      );
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('BUSYGROUP'))) throw error;
    }
  }

  /** Entries no consumer has read yet, waiting at most `blockMs` for the first. */
  async readNew(count: number, blockMs: number): Promise<OutboxMessage[]> {
    const reply = await this.bounded<StreamReply>(
      this.redis.xreadgroup(
        'GROUP',
        HISTORY_WRITER_GROUP,
        this.consumer,
        'COUNT',
        count,
        'BLOCK',
        blockMs,
        'STREAMS',
        this.stream,
        '>',
      ),
      'XREADGROUP',
      blockMs,
    );
    return this.parse(reply?.[0]?.[1] ?? []);
  }

  /** This consumer's entries read earlier and not acknowledged (a write that failed), oldest first. */
  async readOwnPending(count: number): Promise<OutboxMessage[]> {
    const reply = await this.bounded<StreamReply>(
      this.redis.xreadgroup(
        'GROUP',
        HISTORY_WRITER_GROUP,
        this.consumer,
        'COUNT',
        count,
        'STREAMS',
        this.stream,
        '0',
      ),
      'XREADGROUP',
    );
    return this.parse(reply?.[0]?.[1] ?? []);
  }

  /**
   * Takes over entries other consumers read and left unacknowledged for `minIdleMs` (their process died): they
   * become this consumer's pending entries. At most `count` per call.
   */
  async claimAbandoned(minIdleMs: number, count: number): Promise<OutboxMessage[]> {
    const reply = (await this.bounded(
      this.redis.xautoclaim(
        this.stream,
        HISTORY_WRITER_GROUP,
        this.consumer,
        minIdleMs,
        '0-0',
        'COUNT',
        count,
      ),
      'XAUTOCLAIM',
    )) as [string, StreamEntries, string[]?];
    return this.parse(reply[1] ?? []);
  }

  /** Acknowledges and deletes written entries in one transaction, so the stream holds only what is still to write. */
  async acknowledge(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.bounded(
      this.redis
        .multi()
        .xack(this.stream, HISTORY_WRITER_GROUP, ...ids)
        .xdel(this.stream, ...ids)
        .exec(),
      'XACK',
    );
  }

  /** Removes consumers that hold no entries and have been idle for `idleMs` (writers that stopped), at most 100. */
  async forgetIdleConsumers(idleMs: number): Promise<number> {
    const consumers = (await this.bounded(
      this.redis.xinfo('CONSUMERS', this.stream, HISTORY_WRITER_GROUP),
      'XINFO',
    )) as Array<Array<string | number>>;
    let removed = 0;
    for (const fields of consumers.slice(0, 100)) {
      const info = Object.fromEntries(
        Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]),
      ) as { name?: string; pending?: number; idle?: number };
      if (info.name && info.name !== this.consumer && info.pending === 0 && Number(info.idle) >= idleMs) {
        await this.bounded(
          this.redis.xgroup('DELCONSUMER', this.stream, HISTORY_WRITER_GROUP, info.name),
          'XGROUP',
        );
        removed++;
      }
    }
    return removed;
  }

  private parse(entries: StreamEntries): OutboxMessage[] {
    return entries.map(([id, fields]) => {
      const at = fields ? fields.indexOf(OUTBOX_FIELD) : -1;
      const json = fields && at >= 0 ? fields[at + 1] : undefined;
      try {
        return { id, entry: json ? (JSON.parse(json) as HistoryEntry) : null };
      } catch (error) {
        this.logger.error({ err: error, entry_id: id }, 'unreadable history outbox entry; dropping it');
        return { id, entry: null };
      }
    });
  }

  private bounded<T>(call: Promise<T>, what: string, extraMs = 0): Promise<T> {
    return withDeadline(call, REDIS_COMMAND_TIMEOUT_MS + extraMs, () => new OutboxTimeoutError(what));
  }
}
