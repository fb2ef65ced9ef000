import type { Redis } from 'ioredis';
import type { RedisKeys } from '../core/redis/redis-keys';

/**
 * How long a job's set of waiting deliveries is kept. Only the fast path needs it: a delivery whose entry expired
 * (a job that waited in the queue longer than this) still goes out at its next re-check.
 */
const REGISTRATIONS_TTL_SECONDS = 86_400;
/** Ids taken per SPOP; a job with more waiting deliveries than this is emptied in several calls. */
const TAKE_BATCH = 1_000;

/**
 * The deliveries waiting for each summarize job to end (`webhooks:pending:{job id}`, a SET of delivery ids), so the
 * worker that ends a job can start them at once. API processes add (request client: fails fast), workers take
 * (workers' client: waits out an outage); the module provides one per role.
 */
export class WebhookRegistrationsRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Records that delivery `deliveryId` waits for job `jobId` to end. */
  async add(jobId: string, deliveryId: string): Promise<void> {
    const key = this.keys.webhookRegistrations(jobId);
    await this.redis.multi().sadd(key, deliveryId).expire(key, REGISTRATIONS_TTL_SECONDS).exec();
  }

  /**
   * Removes and returns the deliveries waiting for job `jobId` (none for most jobs: one command, answered empty).
   * SPOP takes each id once, whichever process asks, and deletes the set with its last member.
   */
  async take(jobId: string): Promise<string[]> {
    const key = this.keys.webhookRegistrations(jobId);
    const taken: string[] = [];
    // Bounded by the set's size, which only submissions with a callback_url grow.
    for (;;) {
      const batch = await this.redis.spop(key, TAKE_BATCH);
      taken.push(...batch);
      if (batch.length < TAKE_BATCH) return taken;
    }
  }
}
