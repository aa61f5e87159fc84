import { Injectable } from '@nestjs/common';

/**
 * Whether this process's rate limiter is enforcing or failing open (Redis erroring or too slow),
 * for the `rateLimiter` detail of GET /health. The limiter reports every outcome; a single
 * success ends the degraded spell.
 */
@Injectable()
export class RateLimiterHealth {
  private degradedSince: Date | null = null;
  private letThrough = 0;

  /** Records a request let through unlimited; true when this starts a degraded spell. */
  failedOpen(): boolean {
    this.letThrough += 1;
    if (this.degradedSince) return false;
    this.degradedSince = new Date();
    return true;
  }

  /** Records a counted request; true when this ends a degraded spell. */
  enforced(): boolean {
    if (!this.degradedSince) return false;
    this.degradedSince = null;
    this.letThrough = 0;
    return true;
  }

  get degraded(): boolean {
    return this.degradedSince !== null;
  }

  detail(): string {
    if (!this.degradedSince) return 'Enforcing';
    return `Degraded: failing open since ${this.degradedSince.toISOString()} (${this.letThrough} request(s) not limited)`;
  }
}
