/**
 * Lets one line through per interval for a message that can repeat many times a second (Redis connection errors
 * while Redis is away), and says how many were held back meanwhile. Hand-written: pino has no rate limiting, and
 * this is a counter and a timestamp.
 */
export class LogThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;
  private held = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether to log this occurrence; if so, how many were held back since the last one logged. */
  take(): { readonly suppressed: number } | undefined {
    const now = this.now();
    if (now - this.lastAt < this.intervalMs) {
      this.held++;
      return undefined;
    }
    const suppressed = this.held;
    this.lastAt = now;
    this.held = 0;
    return { suppressed };
  }
}
