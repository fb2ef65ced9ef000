/** DI token of the shared ioredis client used by the cache and analytics repositories. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
