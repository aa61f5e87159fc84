import type { Redis } from 'ioredis';
import { luaScript } from '../redis/lua-script';

export interface RateLimitCount {
  totalHits: number;
  /** Seconds until the window resets. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until the block lifts (0 when not blocked). */
  timeToBlockExpire: number;
}

// Fixed window counter plus an optional block, in one round trip and atomically.
// KEYS[1] hits counter, KEYS[2] block marker; ARGV: ttl ms, limit, block ms, cost.
const INCREMENT = `
local cost = tonumber(ARGV[4])
local hits = redis.call('INCRBY', KEYS[1], cost)
if hits == cost then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
local blocked = redis.call('PTTL', KEYS[2])
if blocked < 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
return { hits, ttl, blocked }
`;

/** Rate-limit counters in Redis, so limits hold across every API instance. */
export class RedisThrottlerStorage {
  private readonly count: (...args: string[]) => Promise<[number, number, number]>;

  constructor(redis: Redis) {
    this.count = luaScript(redis, 'jewelshotRateCount', 2, INCREMENT);
  }

  /**
   * Counts one hit on `key` under the policy `name`: a fixed window of `ttl` ms; past `limit`
   * hits the key is blocked for `blockDuration` ms (at least the rest of the window). `cost`
   * counts one hit as that many (bytes of an upload, for a bytes-per-window limit).
   */
  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    name: string,
    cost = 1,
  ): Promise<RateLimitCount> {
    const base = `ratelimit:${name}:${key}`;
    return this.count(
      `${base}:hits`,
      `${base}:block`,
      String(ttl),
      String(limit),
      String(Math.max(blockDuration, 1)),
      String(Math.max(1, Math.floor(cost))),
    ).then(([totalHits, ttlMs, blockMs]) => {
      const isBlocked = blockMs > 0;
      return {
        totalHits,
        timeToExpire: Math.max(0, Math.ceil(ttlMs / 1000)),
        isBlocked,
        timeToBlockExpire: isBlocked ? Math.max(1, Math.ceil(blockMs / 1000)) : 0,
      };
    });
  }
}
