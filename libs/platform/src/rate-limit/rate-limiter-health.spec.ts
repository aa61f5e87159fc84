import { RateLimiterHealth } from './rate-limiter-health';

describe('RateLimiterHealth', () => {
  it('ends a degraded spell on a counted request, or once Redis answers after a quiet spell', () => {
    const health = new RateLimiterHealth();
    expect(health.failedOpen()).toBe(true);
    expect(health.degraded).toBe(true);
    const failedAt = Date.now();
    // Requests failed open a moment ago: a ping that Redis answers does not end the spell.
    expect(health.quietSince(5000, failedAt + 1000)).toBe(false);
    expect(health.degraded).toBe(true);
    // Quiet for the whole spell: it ends, and the detail says so.
    expect(health.quietSince(5000, failedAt + 6000)).toBe(true);
    expect(health.degraded).toBe(false);
    expect(health.detail()).toBe('Enforcing');
    // A counted request ends a spell too (once).
    health.failedOpen();
    expect(health.enforced()).toBe(true);
    expect(health.enforced()).toBe(false);
  });
});
