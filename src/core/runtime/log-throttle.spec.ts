import { describe, expect, it } from 'vitest';
import { LogThrottle } from './log-throttle';

describe('LogThrottle', () => {
  it('lets the first occurrence through, holds the rest for the interval, then reports how many were held', () => {
    let now = 1_000;
    const throttle = new LogThrottle(10_000, () => now);
    expect(throttle.take()).toEqual({ suppressed: 0 });
    now += 200;
    expect(throttle.take()).toBeUndefined();
    now += 200;
    expect(throttle.take()).toBeUndefined();
    now += 10_000;
    expect(throttle.take()).toEqual({ suppressed: 2 });
    expect(throttle.take()).toBeUndefined();
  });
});
