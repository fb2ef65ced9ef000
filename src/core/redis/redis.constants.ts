/**
 * DI token of the request path's ioredis client: no offline queue and a command timeout, so while Redis is away a
 * request fails at once and the API answers 503. Present in processes that serve the API.
 */
export const REQUEST_REDIS = Symbol('REQUEST_REDIS');

/**
 * DI token of the workers' ioredis client: queues commands while Redis is away and sends them when it returns, so a
 * short outage does not fail a job whose summary (and AI call) is already done. Present in processes that run workers.
 */
export const WORKER_REDIS = Symbol('WORKER_REDIS');
