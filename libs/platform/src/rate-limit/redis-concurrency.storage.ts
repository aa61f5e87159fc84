import type { Redis } from 'ioredis';
import { luaScript } from '../redis/lua-script';

export interface ConcurrencySlot {
  /** True when the request got a slot; false when `limit` were already in flight. */
  acquired: boolean;
  /** Requests in flight for the key, this one included when acquired. */
  inFlight: number;
}

// A sorted set of the requests in flight, each scored with the end of its lease (Redis time,
// so API hosts' clocks do not matter). Expired leases (a process that died holding slots) are
// dropped before counting. KEYS[1] the set; ARGV: lease ms, limit, member.
const ACQUIRE = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
local inFlight = redis.call('ZCARD', KEYS[1])
if inFlight >= tonumber(ARGV[2]) then return { 0, inFlight } end
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[1]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return { 1, inFlight + 1 }
`;

// Extends the leases of members still held (ZADD XX: a member given back or lapsed is not put
// back). KEYS[1] the set; ARGV: lease ms, members...
const RENEW = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local renewed = 0
for i = 2, #ARGV do
  renewed = renewed + redis.call('ZADD', KEYS[1], 'XX', 'CH', nowMs + tonumber(ARGV[1]), ARGV[i])
end
if renewed > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return renewed
`;

/**
 * Requests in flight per key, in Redis, so the limit holds across every API instance: a slot is
 * taken when a request starts and given back when its response ends or its client goes away.
 * A slot not given back (the process died) lapses after its lease.
 */
export class RedisConcurrencyStorage {
  private readonly take: (...args: string[]) => Promise<[number, number]>;

  private readonly extend: (...args: string[]) => Promise<number>;

  constructor(private readonly redis: Redis) {
    this.take = luaScript(redis, 'jewelshotSlotAcquire', 1, ACQUIRE);
    this.extend = luaScript(redis, 'jewelshotSlotRenew', 1, RENEW);
  }

  /** Extends the lease of `members` of `key`'s `name` slots still held; returns how many. */
  async renew(key: string, name: string, leaseMs: number, members: string[]): Promise<number> {
    if (members.length === 0) return 0;
    return this.extend(`concurrency:${name}:${key}`, String(Math.max(1, leaseMs)), ...members);
  }

  async acquire(
    key: string,
    name: string,
    limit: number,
    leaseMs: number,
    member: string,
  ): Promise<ConcurrencySlot> {
    const [acquired, inFlight] = await this.take(
      `concurrency:${name}:${key}`,
      String(Math.max(1, leaseMs)),
      String(limit),
      member,
    );
    return { acquired: acquired === 1, inFlight };
  }

  async release(key: string, name: string, member: string): Promise<void> {
    await this.redis.zrem(`concurrency:${name}:${key}`, member);
  }
}
