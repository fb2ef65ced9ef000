import { describe, expect, it } from 'vitest';
import { rateLimitHeaders, toSeconds } from './rate-limit-headers';

describe('rateLimitHeaders (draft-ietf-httpapi-ratelimit-headers-11 structured fields)', () => {
  it('writes one list item per policy: q/w in RateLimit-Policy, r/t in RateLimit', () => {
    expect(
      rateLimitHeaders([
        { name: 'minute', quota: 300, windowSeconds: 60, remaining: 12, resetSeconds: 34 },
        { name: 'daily-jobs', quota: 1000, windowSeconds: 86_400, remaining: 990, resetSeconds: 3600 },
      ]),
    ).toEqual({
      'ratelimit-policy': '"minute";q=300;w=60, "daily-jobs";q=1000;w=86400',
      ratelimit: '"minute";r=12;t=34, "daily-jobs";r=990;t=3600',
    });
  });

  it('lists a policy without its state in RateLimit-Policy only', () => {
    expect(
      rateLimitHeaders([
        { name: 'minute', quota: 300, windowSeconds: 60, remaining: 5, resetSeconds: 9 },
        { name: 'daily-jobs', quota: 1000, windowSeconds: 86_400 },
      ]),
    ).toEqual({
      'ratelimit-policy': '"minute";q=300;w=60, "daily-jobs";q=1000;w=86400',
      ratelimit: '"minute";r=5;t=9',
    });
    expect(rateLimitHeaders([{ name: 'daily-jobs', quota: 2, windowSeconds: 86_400 }])).toEqual({
      'ratelimit-policy': '"daily-jobs";q=2;w=86400',
    });
  });

  it('writes nothing when no policy applies, and never a negative r or t', () => {
    expect(rateLimitHeaders([])).toEqual({});
    expect(
      rateLimitHeaders([{ name: 'minute', quota: 1, windowSeconds: 60, remaining: -1, resetSeconds: -2 }])
        .ratelimit,
    ).toBe('"minute";r=0;t=0');
  });

  it('rounds waits up to whole seconds', () => {
    expect([toSeconds(0), toSeconds(1), toSeconds(1000), toSeconds(1001), toSeconds(-5)]).toEqual([
      0, 1, 1, 2, 0,
    ]);
  });
});
