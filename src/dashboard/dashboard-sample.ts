import type { AnalyticsResponseDto } from '../analytics/analytics-response.dto';

/** How often the sampler reads the analytics. */
export const SAMPLE_INTERVAL_MS = 1_000;
/** How far back the charts reach; the history holds at most this window's worth of samples. */
export const HISTORY_WINDOW_MS = 15 * 60 * 1_000;

/**
 * One point of the dashboard's charts: what changed since the previous sample. Small on purpose (a few numbers), so
 * 15 minutes of them cost about 100 KB of memory and one history event on connect.
 */
export interface DashboardSample {
  /** When it was taken (epoch ms, server clock). */
  readonly t: number;
  /** Submissions answered since the previous sample (hits + misses + deduplicated). */
  readonly requests: number;
  /** Cache hits among them. */
  readonly cache_hits: number;
  /** `requests` per second of time since the previous sample. */
  readonly requests_per_second: number;
  /** `cache_hits / requests`, or null when there were no requests (a gap in the chart, not a 0 %). */
  readonly hit_rate: number | null;
  /** Jobs waiting (the analytics' `queue_size`) at `t`. */
  readonly queue_size: number;
}

/** Payload of the `history` event, sent first on every connection. */
export interface DashboardHistoryEvent {
  readonly interval_ms: number;
  readonly window_ms: number;
  /** Oldest first, all within the last `window_ms`. */
  readonly samples: DashboardSample[];
  /** The latest analytics read, or null when none succeeded yet. */
  readonly analytics: AnalyticsResponseDto | null;
  /** Set while the analytics cannot be read. */
  readonly stale: DashboardStaleEvent | null;
}

/** Payload of the `sample` event, one per successful read (about once a second). */
export interface DashboardSampleEvent {
  readonly sample: DashboardSample;
  readonly analytics: AnalyticsResponseDto;
}

/** Payload of the `stale` event, one per failed read: the figures shown are the last ones read, `since` ago. */
export interface DashboardStaleEvent {
  /** First failed read of this outage (epoch ms). */
  readonly since: number;
  /** Last successful read (epoch ms), or null when there was none. */
  readonly last_sample_at: number | null;
  readonly reason: string;
}

/** What the sampler publishes to its subscribers (the open event streams). */
export type DashboardUpdate =
  | { readonly type: 'sample'; readonly data: DashboardSampleEvent }
  | { readonly type: 'stale'; readonly data: DashboardStaleEvent };
