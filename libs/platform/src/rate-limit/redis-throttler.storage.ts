import type { Redis } from 'ioredis';
import { luaScript } from '../redis/lua-script';

export interface RateLimitCount {
  /** Units counted in the window so far, this request's included only when it was let through. */
  totalHits: number;
  /** Seconds until the window resets. */
  timeToExpire: number;
  /** This request would have gone past the limit: refused, and not counted. */
  exceeded: boolean;
}

// A fixed window counter, in one round trip and atomically. A request that would go past the
// limit is taken back out: it does not count against this policy, so a caller refused until the
// window resets is let through once it has, and a smaller upload may still fit in what is left
// of a bytes quota.
// KEYS[1] the window's counter; ARGV: window ms, limit, cost.
const INCREMENT = `
local cost = tonumber(ARGV[3])
local hits = redis.call('INCRBY', KEYS[1], cost)
if hits == cost then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
local exceeded = 0
if hits > tonumber(ARGV[2]) then
  exceeded = 1
  hits = redis.call('DECRBY', KEYS[1], cost)
end
return { hits, ttl, exceeded }
`;

// Takes units back out of a window still open (a request another policy refused); a window
// that has ended meanwhile is left alone. KEYS[1] the window's counter; ARGV: cost.
const GIVE_BACK = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECRBY', KEYS[1], ARGV[1]) end
return 0
`;

/** Rate-limit counters in Redis, so limits hold across every API instance. */
export class RedisThrottlerStorage {
  private readonly count: (...args: string[]) => Promise<[number, number, number]>;
  private readonly giveBackScript: (...args: string[]) => Promise<number>;

  constructor(redis: Redis) {
    this.count = luaScript(redis, 'jewelshotRateWindow', 1, INCREMENT);
    this.giveBackScript = luaScript(redis, 'jewelshotRateGiveBack', 1, GIVE_BACK);
  }

  /** Takes back what `increment` counted for a request another policy then refused. */
  async giveBack(key: string, name: string, cost = 1): Promise<void> {
    await this.giveBackScript(
      `ratelimit:${name}:${key}:hits`,
      String(Math.max(1, Math.floor(cost))),
    );
  }

  /**
   * Counts one request on `key` under the policy `name` in a fixed window of `windowMs`: past
   * `limit` units it is refused (`exceeded`) until the window resets, and not counted. `cost`
   * counts one request as that many units (bytes of an upload, for a bytes-per-window limit).
   */
  increment(
    key: string,
    windowMs: number,
    limit: number,
    name: string,
    cost = 1,
  ): Promise<RateLimitCount> {
    return this.count(
      `ratelimit:${name}:${key}:hits`,
      String(windowMs),
      String(limit),
      String(Math.max(1, Math.floor(cost))),
    ).then(([totalHits, ttlMs, exceeded]) => ({
      totalHits,
      timeToExpire: Math.max(1, Math.ceil(ttlMs / 1000)),
      exceeded: exceeded === 1,
    }));
  }
}
