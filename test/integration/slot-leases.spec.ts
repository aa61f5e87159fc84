import { Redis } from 'ioredis';
import { RedisConcurrencyStorage } from '@jewelshot/platform';
import { SlotLeases } from '../../apps/api/src/http/concurrency-slot';
import { suitePrefix, TEST_REDIS_URL } from '../support/test-env';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The API's concurrency slots are leased and renewed while held: a slot outlives its lease while
 * its process lives, and one whose process died (renewing no more) lapses within a lease, not
 * after the longest a request may run (half an hour for an event stream). Against the test Redis.
 */
describe('SlotLeases', () => {
  const prefix = suitePrefix('slot-leases');
  let redis: Redis;
  let slots: RedisConcurrencyStorage;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
    slots = new RedisConcurrencyStorage(redis);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(prefix.length)));
    redis.disconnect();
  });

  const errors: unknown[] = [];
  const inFlight = () => redis.zcard('concurrency:sse:user:a');

  it('keeps a held slot past its lease, and a slot whose process stopped renewing lapses within one', async () => {
    const living = new SlotLeases(slots, 400, 100, (error) => errors.push(error));
    const dead = new SlotLeases(slots, 400, 100, (error) => errors.push(error));
    expect((await slots.acquire('user:a', 'sse', 2, 400, 'living')).acquired).toBe(true);
    living.hold('user:a', 'sse', 'living');
    expect((await slots.acquire('user:a', 'sse', 2, 400, 'dead')).acquired).toBe(true);
    dead.hold('user:a', 'sse', 'dead');
    // The second process dies: its timer stops, and nothing gives its slot back.
    dead.drop('user:a', 'sse', 'dead');
    await sleep(1000);
    // Two and a half leases later: the dead slot lapsed, so its place is free again (an acquire
    // drops lapsed slots before counting), and the living one is still held.
    expect((await slots.acquire('user:a', 'sse', 2, 400, 'next')).acquired).toBe(true);
    expect((await redis.zrange('concurrency:sse:user:a', 0, -1)).sort()).toEqual([
      'living',
      'next',
    ]);
    living.drop('user:a', 'sse', 'living');
    await slots.release('user:a', 'sse', 'living');
    await slots.release('user:a', 'sse', 'next');
    expect(await inFlight()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('does not put back a slot given back meanwhile', async () => {
    const leases = new SlotLeases(slots, 400, 100, (error) => errors.push(error));
    await slots.acquire('user:a', 'sse', 2, 400, 'gone');
    leases.hold('user:a', 'sse', 'gone');
    await slots.release('user:a', 'sse', 'gone');
    await leases.renew();
    expect(await inFlight()).toBe(0);
    leases.drop('user:a', 'sse', 'gone');
    expect(errors).toEqual([]);
  });
});
