import { Logger } from '@nestjs/common';
import { LogThrottle } from '../core/runtime/log-throttle';
import type { QueueState } from '../jobs/summarize-job.repository';
import type { QueueCountsSource } from './metrics.registry';

/** How long one read of the queue's counts answers scrapes. */
export const QUEUE_COUNTS_MAX_AGE_MS = 1_000;

interface CachedCounts {
  readonly at: number;
  readonly counts: Promise<Record<QueueState, number> | undefined>;
}

/**
 * The queue's job counts for the `smartcache_queue_jobs` gauge, read at scrape time and shared for up to
 * {@link QUEUE_COUNTS_MAX_AGE_MS}: however many scrapers (or scrapes at once), one Redis read a second at most. A read
 * in flight is shared too. A failed read answers undefined (the gauge then has no samples) and is not cached.
 */
export class QueueCountsCache implements QueueCountsSource {
  private readonly logger = new Logger(QueueCountsCache.name);
  private readonly failureLog = new LogThrottle(10_000);
  private last: CachedCounts | undefined;

  constructor(
    private readonly read: () => Promise<Record<QueueState, number>>,
    private readonly now: () => number = Date.now,
  ) {}

  countsByState(): Promise<Record<QueueState, number> | undefined> {
    const now = this.now();
    if (this.last && now - this.last.at < QUEUE_COUNTS_MAX_AGE_MS) return this.last.counts;
    const entry: CachedCounts = {
      at: now,
      counts: this.read().catch((error: unknown) => {
        if (this.last === entry) this.last = undefined;
        const logged = this.failureLog.take();
        if (logged)
          this.logger.warn({ err: error, suppressed: logged.suppressed }, 'could not read the queue counts');
        return undefined;
      }),
    };
    this.last = entry;
    return entry.counts;
  }
}
