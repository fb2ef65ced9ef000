import type { Queue } from 'bullmq';
import { RedisUnavailableError, withRedisDeadline } from '../core/redis/redis-connection';

/**
 * Runs a queue call on the request path only while the queue's connection is up, and bounds it. BullMQ's connection
 * queues commands while Redis is away (the workers need that); without this check a timed-out `add()` would still
 * run when Redis returns, making a job for a request that was answered 503.
 */
export async function onLiveQueue<T>(queue: Queue, call: () => Promise<T>): Promise<T> {
  let client = connectedClients.get(queue);
  if (!client) {
    client = await withRedisDeadline(queue.backend.client);
    connectedClients.set(queue, client);
  }
  if (client.status !== 'ready') throw new RedisUnavailableError();
  return withRedisDeadline(call());
}

/** Each queue's client, once its connection promise has resolved: awaited (with a deadline) only the first time. */
const connectedClients = new WeakMap<Queue, { readonly status: string }>();
