import type { LoggerService } from '@nestjs/common';
import { LogThrottle } from '../core/runtime/log-throttle';

/** At most one line per this interval for a BullMQ object's connection errors (they repeat while Redis is away). */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Routes a BullMQ queue's, worker's or queue-events' `error` events through the JSON logger, one line per interval
 * with the count held back. Without a listener BullMQ prints each error as a multi-line dump to stderr, several a
 * second while Redis is away.
 */
export function logBullmqErrors(
  emitter: { on(event: 'error', listener: (error: Error) => void): unknown },
  logger: LoggerService,
  source: string,
): void {
  const throttle = new LogThrottle(ERROR_LOG_INTERVAL_MS);
  emitter.on('error', (error: Error) => {
    const logged = throttle.take();
    if (logged)
      logger.warn(
        { source, reason: error.message, suppressed: logged.suppressed },
        'BullMQ connection error',
      );
  });
}
