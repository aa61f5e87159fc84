import type { RedisConcurrencyStorage } from '@jewelshot/platform';

/** How often a waiting delivery looks again for a slot given back by another worker. */
const POLL_MS = 100;

/**
 * Each user's share of the delivery workers: at most `limit` of their deliveries in flight at
 * once, across every worker (a Redis sorted set of leased slots, as the API's concurrency
 * limits). A delivery whose owner's share is full waits a little for a slot: a slot given back
 * in this process wakes one waiter at once (a burst to a fast endpoint goes out at the
 * endpoint's pace), one given back elsewhere is seen within POLL_MS.
 */
export class DeliveryShares {
  private readonly waiters = new Map<string, Array<() => void>>();

  constructor(
    private readonly slots: RedisConcurrencyStorage,
    /** The Redis bucket: one per kind of share. */
    private readonly bucket: string,
    private readonly limit: number,
    /** A slot not given back (the worker died) lapses after this. */
    private readonly leaseMs: number,
  ) {}

  /**
   * A slot of `owner`'s share for `member`, waiting up to `waitMs` for one; null if none came
   * free. The slot is given back with the function returned.
   */
  async take(owner: string, member: string, waitMs: number): Promise<(() => Promise<void>) | null> {
    const until = Date.now() + waitMs;
    for (;;) {
      const slot = await this.slots.acquire(owner, this.bucket, this.limit, this.leaseMs, member);
      if (slot.acquired) return () => this.giveBack(owner, member);
      const left = until - Date.now();
      if (left <= 0) return null;
      await this.freed(owner, Math.min(left, POLL_MS));
    }
  }

  private async giveBack(owner: string, member: string): Promise<void> {
    try {
      await this.slots.release(owner, this.bucket, member);
    } finally {
      this.waiters.get(owner)?.shift()?.();
    }
  }

  /** Resolves when this process gives back one of `owner`'s slots, or after `ms`. */
  private freed(owner: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const queue = this.waiters.get(owner) ?? [];
      this.waiters.set(owner, queue);
      const wake = () => {
        clearTimeout(timer);
        const at = queue.indexOf(wake);
        if (at >= 0) queue.splice(at, 1);
        if (queue.length === 0 && this.waiters.get(owner) === queue) this.waiters.delete(owner);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      queue.push(wake);
    });
  }
}
