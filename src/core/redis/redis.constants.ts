/** DI token of the ioredis client of the request path: fails fast while Redis is away, so the API answers 503. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/**
 * DI token of the ioredis client of the workers: queues commands while Redis is away and sends them when it
 * returns, so a short outage does not fail a job whose summary (and AI call) is already done.
 */
export const WORKER_REDIS_CLIENT = Symbol('WORKER_REDIS_CLIENT');
