/** DI token of the process's Kysely instance (one pg pool per process, DATABASE_POOL_SIZE connections). */
export const DATABASE = Symbol('DATABASE');

/**
 * The maintenance queue (hourly analytics copy, retention) and its job names. Renaming either strands the job
 * schedulers already in Redis under the old name (they are upserted again under the new one at start-up).
 */
export const PERSISTENCE_MAINTENANCE_QUEUE = 'persistence-maintenance';
export const COPY_HOURLY_ANALYTICS_JOB = 'copy-hourly-analytics';
export const HISTORY_RETENTION_JOB = 'history-retention';
