import type { IRedisClient } from 'bullmq';
import DataLoader from 'dataloader';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../core/redis/redis-keys';
import type { SummarizeJobResult } from '../jobs/summarize-job';

/** A summary to cache under `summary:{hash}` for `ttlSeconds`. */
export interface CacheEntry {
  readonly hash: string;
  readonly result: SummarizeJobResult;
  readonly ttlSeconds: number;
}

/** Reads made in one turn of the event loop go to Redis as one MGET of at most this many keys. */
const MAX_KEYS_PER_READ = 128;

/**
 * Cached summaries (`summary:{hash}`), stored as JSON strings with a TTL, on the client of the role it is provided
 * for (see CacheModule).
 */
export class SummaryCacheRepository {
  /**
   * Batches reads (DataLoader): every `get` made until the event loop's check phase, i.e. by all the requests that
   * arrived together, becomes one MGET, one write and one read on the socket instead of one each. Reads are not
   * cached here: each request still sees what Redis holds now.
   */
  private readonly reads = new DataLoader<string, string | null>((keys) => this.redis.mget(...keys), {
    cache: false,
    batchScheduleFn: (flush) => setImmediate(flush),
    maxBatchSize: MAX_KEYS_PER_READ,
  });
  private completionConnection: Pick<IRedisClient, 'set'> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async get(hash: string): Promise<SummarizeJobResult | null> {
    const json = await this.reads.load(this.keys.summary(hash));
    return json === null ? null : (JSON.parse(json) as SummarizeJobResult);
  }

  /** Writes an entry on this repository's own client (e.g. a summary the API restores from elsewhere). */
  async set({ hash, result, ttlSeconds }: CacheEntry): Promise<void> {
    await this.redis.set(this.keys.summary(hash), JSON.stringify(result), 'EX', ttlSeconds);
  }

  /**
   * The BullMQ connection that completes the worker's jobs. Entries written with {@link setBeforeCompletion} go out on
   * it, ahead of the job's completion (`moveToFinished`), which that connection sends next.
   */
  bindCompletionConnection(connection: Pick<IRedisClient, 'set'>): void {
    this.completionConnection = connection;
  }

  /**
   * Caches a job's result so that Redis applies the write before the job completes, without the job waiting a round
   * trip for it: Redis runs one connection's commands in order, and the job's completion follows on the same
   * connection. BullMQ drops the deduplication key on completion, so a later submission must find the summary then.
   */
  async setBeforeCompletion({ hash, result, ttlSeconds }: CacheEntry): Promise<void> {
    if (!this.completionConnection) throw new Error('no completion connection bound (worker not started)');
    // Sent now, synchronously: the completion must find it ahead of it on the connection.
    await this.completionConnection.set(this.keys.summary(hash), JSON.stringify(result), { EX: ttlSeconds });
  }
}
