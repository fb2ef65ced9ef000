import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import Denque from 'denque';
import type { AnalyticsResponseDto } from '../analytics/analytics-response.dto';
import { AnalyticsService } from '../analytics/analytics.service';
import { isRedisUnavailableError } from '../core/redis/redis-connection';
import {
  type DashboardHistoryEvent,
  type DashboardSample,
  type DashboardStaleEvent,
  type DashboardUpdate,
  HISTORY_WINDOW_MS,
  SAMPLE_INTERVAL_MS,
} from './dashboard-sample';

/** Most samples kept: the window at the nominal rate, so memory is bounded whatever the clock does. */
const HISTORY_CAPACITY = HISTORY_WINDOW_MS / SAMPLE_INTERVAL_MS;

export type DashboardListener = (update: DashboardUpdate) => void;

/**
 * Reads the analytics once a second and keeps the last 15 minutes of samples in a per-process ring buffer, for the
 * dashboard's charts, publishing each read to the open event streams. Runs in every process that serves HTTP (the
 * module is only loaded there) from bootstrap until shutdown.
 *
 * Each process samples the shared counters in Redis, so every API process draws the same curves. A read costs what
 * one `GET /api/analytics` does, and it shares the read in flight with those requests. While Redis is away a read
 * fails fast (the request-path client does not queue): the tick is skipped, subscribers are told the figures are
 * stale, and sampling resumes by itself.
 */
@Injectable()
export class AnalyticsSampler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AnalyticsSampler.name);
  /** Oldest first; pushing beyond capacity drops the oldest (Denque's `capacity`). */
  private readonly samples = new Denque<DashboardSample>([], { capacity: HISTORY_CAPACITY });
  private readonly listeners = new Set<DashboardListener>();
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private previous: { readonly t: number; readonly total: number; readonly hits: number } | undefined;
  private latest: AnalyticsResponseDto | null = null;
  private stale: DashboardStaleEvent | null = null;

  constructor(@Inject(AnalyticsService) private readonly analytics: Pick<AnalyticsService, 'snapshot'>) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  start(): void {
    if (this.timer) return;
    void this.tick();
    // unref: the sampler alone never keeps a process alive.
    this.timer = setInterval(() => void this.tick(), SAMPLE_INTERVAL_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Calls `listener` with every update until the returned function is called. */
  subscribe(listener: DashboardListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What a new stream starts from: the samples of the last window, the latest analytics, and whether they are stale. */
  history(): DashboardHistoryEvent {
    this.evictOlderThan(Date.now() - HISTORY_WINDOW_MS);
    return {
      interval_ms: SAMPLE_INTERVAL_MS,
      window_ms: HISTORY_WINDOW_MS,
      samples: this.samples.toArray(),
      analytics: this.latest,
      stale: this.stale,
    };
  }

  /** One read: a sample on success, a stale notice on failure. Skipped while the previous read is still out. */
  async tick(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    const t = Date.now();
    try {
      const analytics = await this.analytics.snapshot();
      this.record(t, analytics);
    } catch (error) {
      this.markStale(t, error);
    } finally {
      this.reading = false;
    }
  }

  private record(t: number, analytics: AnalyticsResponseDto): void {
    const previous = this.previous;
    // A counter that went down (analytics keys deleted) restarts the deltas rather than drawing a negative rate.
    const requests = previous ? Math.max(0, analytics.total_requests - previous.total) : 0;
    const hits = previous ? Math.min(requests, Math.max(0, analytics.cache_hits - previous.hits)) : 0;
    const seconds = previous ? Math.max(t - previous.t, 1) / 1_000 : 1;
    const sample: DashboardSample = {
      t,
      requests,
      cache_hits: hits,
      requests_per_second: Math.round((requests / seconds) * 100) / 100,
      hit_rate: requests === 0 ? null : Math.round((hits / requests) * 10_000) / 10_000,
      queue_size: analytics.queue_size,
    };
    this.previous = { t, total: analytics.total_requests, hits: analytics.cache_hits };
    this.latest = analytics;
    this.evictOlderThan(t - HISTORY_WINDOW_MS);
    this.samples.push(sample);
    if (this.stale) {
      this.logger.log('analytics readable again; dashboard samples resumed');
      this.stale = null;
    }
    this.publish({ type: 'sample', data: { sample, analytics } });
  }

  private markStale(t: number, error: unknown): void {
    if (!this.stale) {
      this.logger.warn({ err: error }, 'cannot read the analytics; dashboard samples paused');
    }
    this.stale = {
      since: this.stale?.since ?? t,
      last_sample_at: this.samples.peekBack()?.t ?? null,
      // What the page shows, possibly to anyone (the dashboard is open without ADMIN_TOKEN): no error text.
      reason: isRedisUnavailableError(error) ? 'Redis is unavailable' : 'the analytics cannot be read',
    };
    this.publish({ type: 'stale', data: this.stale });
  }

  private publish(update: DashboardUpdate): void {
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (error) {
        this.logger.warn({ err: error }, 'a dashboard stream failed to take an update');
      }
    }
  }

  private evictOlderThan(cutoff: number): void {
    while ((this.samples.peekFront()?.t ?? Infinity) < cutoff) this.samples.shift();
  }
}
