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

/** One policy's fixed window that a request counts against. */
export interface RateWindow {
  /** The policy's name: one counter per caller and policy. */
  name: string;
  windowMs: number;
  limit: number;
  /**
   * Units this request counts for (bytes of an upload, for a bytes-per-window limit); 1 if
   * unset; 0 reads the window without counting.
   */
  cost?: number;
}

// Fixed window counters, several at once, in one round trip and atomically. A request that
// would go past any window's limit is taken back out of every window: it counts against none,
// so a caller refused until a window resets is let through once it has, a smaller upload may
// still fit in what is left of a bytes quota, and an upload refused by its count does not use
// up its bytes quota (nor the other way round).
// KEYS: one counter per window; ARGV: window ms, limit and cost of each window in turn.
// Returns, per window: units counted (after any take-back), ms until it resets, 1 if exceeded.
// A cost of 0 only reads a window (a request refused before it could count).
const COUNT = `
local out = {}
local refused = false
for i = 1, #KEYS do
  local windowMs, limit, cost = ARGV[3 * i - 2], tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local hits = redis.call('INCRBY', KEYS[i], cost)
  if hits == cost and cost > 0 then redis.call('PEXPIRE', KEYS[i], windowMs) end
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 then redis.call('PEXPIRE', KEYS[i], windowMs); ttl = tonumber(windowMs) end
  local exceeded = 0
  if hits > limit then exceeded = 1; refused = true end
  out[i] = { hits, ttl, exceeded }
end
if refused then
  for i = 1, #KEYS do out[i][1] = redis.call('DECRBY', KEYS[i], ARGV[3 * i]) end
end
return out
`;

/** Rate-limit counters in Redis, so limits hold across every API instance. */
export class RedisThrottlerStorage {
  private readonly countScript: (...args: string[]) => Promise<[number, number, number][]>;

  constructor(redis: Redis) {
    this.countScript = luaScript(redis, 'jewelshotRateWindows', 'per call', COUNT);
  }

  /**
   * Counts one request on `key` against every window in `windows` (one per policy that applies),
   * all or none: past any window's limit it is refused (`exceeded` on that window) until that
   * window resets, and counted by none of them. Answers in the order of `windows`.
   */
  async incrementAll(key: string, windows: readonly RateWindow[]): Promise<RateLimitCount[]> {
    const keys = windows.map((window) => `ratelimit:${window.name}:${key}:hits`);
    const args = windows.flatMap((window) => [
      String(window.windowMs),
      String(window.limit),
      String(Math.max(0, Math.floor(window.cost ?? 1))),
    ]);
    const counted = await this.countScript(String(keys.length), ...keys, ...args);
    return counted.map(([totalHits, ttlMs, exceeded]) => ({
      totalHits,
      timeToExpire: Math.max(1, Math.ceil(ttlMs / 1000)),
      exceeded: exceeded === 1,
    }));
  }

  /**
   * Counts one request on `key` under the policy `name` in a fixed window of `windowMs`: past
   * `limit` units it is refused (`exceeded`) until the window resets, and not counted. `cost`
   * counts one request as that many units.
   */
  async increment(
    key: string,
    windowMs: number,
    limit: number,
    name: string,
    cost = 1,
  ): Promise<RateLimitCount> {
    const [count] = await this.incrementAll(key, [{ name, windowMs, limit, cost }]);
    return count as RateLimitCount;
  }
}
