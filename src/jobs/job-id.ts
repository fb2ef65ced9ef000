import { randomUUID } from 'node:crypto';

/** Job ids are ours: random UUIDs (BullMQ ids may not contain ':', and these never do). */
export function newJobId(): string {
  return randomUUID();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Whether `id` can be one of our job ids. Anything else is unknown without asking Redis: BullMQ's own key names
 * (`events`, `wait`, `meta`, `limiter`, …) live next to job records and must never be read as jobs.
 */
export function isJobId(id: string): boolean {
  return UUID.test(id);
}
