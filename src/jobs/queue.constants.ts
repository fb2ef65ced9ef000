/**
 * Queue and job names. Renaming any of them strands the jobs already in Redis under the old name: drain the queue
 * first.
 */
export const SUMMARIZE_QUEUE = 'summarize';
export const SUMMARIZE_JOB = 'summarize';

/** Webhook deliveries (src/webhooks): one job per delivery, its id the delivery's `webhook-id`. */
export const WEBHOOKS_QUEUE = 'webhooks';
export const WEBHOOK_DELIVERY_JOB = 'deliver';
