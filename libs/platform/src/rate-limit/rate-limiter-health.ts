import { Injectable } from '@nestjs/common';

/**
 * Whether this process's rate limiter is enforcing or failing open (Redis erroring or too slow),
 * for the `rateLimiter` detail of GET /health. The limiter reports every outcome; a single
 * success ends the degraded spell, and so does a quiet spell while Redis answers /health's ping
 * (quietSince): an idle API whose Redis came back is not degraded until its next request.
 */
@Injectable()
export class RateLimiterHealth {
  private degradedSince: Date | null = null;
  private letThrough = 0;
  private lastFailedOpenAt = 0;

  /** Records a request let through unlimited; true when this starts a degraded spell. */
  failedOpen(): boolean {
    this.letThrough += 1;
    this.lastFailedOpenAt = Date.now();
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

  /**
   * Redis answers now (GET /health pinged it on the limiter's client): the spell ends when no
   * request has failed open for `quietMs`, since a request failing open now means the limiter's
   * own calls still fail (too slow, say) whatever a ping says. True when this ends a spell.
   */
  quietSince(quietMs: number, now = Date.now()): boolean {
    if (!this.degradedSince || now - this.lastFailedOpenAt < quietMs) return false;
    return this.enforced();
  }

  get degraded(): boolean {
    return this.degradedSince !== null;
  }

  detail(): string {
    if (!this.degradedSince) return 'Enforcing';
    return `Degraded: failing open since ${this.degradedSince.toISOString()} (${this.letThrough} request(s) not limited)`;
  }
}
