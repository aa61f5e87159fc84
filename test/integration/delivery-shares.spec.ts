import { Redis } from 'ioredis';
import { RedisConcurrencyStorage } from '@jewelshot/platform';
import { DeliveryShares } from '../../apps/worker/src/webhooks/delivery-shares';
import { suitePrefix, TEST_REDIS_URL } from '../support/test-env';

/** Each user's share of the webhook delivery workers, against the test Redis. */
describe('DeliveryShares', () => {
  const prefix = suitePrefix('delivery-shares');
  let redis: Redis;
  let shares: DeliveryShares;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
    shares = new DeliveryShares(
      new RedisConcurrencyStorage(redis),
      'webhook-deliveries',
      2,
      60_000,
    );
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(prefix.length)));
    redis.disconnect();
  });

  it("gives a user `limit` slots; one more waits and steps aside, another user's is untouched", async () => {
    const first = await shares.take('user-a', 'a1', 0);
    const second = await shares.take('user-a', 'a2', 0);
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(await shares.take('user-a', 'a3', 250)).toBeNull();
    const other = await shares.take('user-b', 'b1', 0);
    expect(other).not.toBeNull();
    await Promise.all([first?.(), second?.(), other?.()]);
    expect(await redis.zcard('concurrency:webhook-deliveries:user-a')).toBe(0);
  });

  it('a slot given back goes to a delivery waiting for it', async () => {
    const held = [await shares.take('user-c', 'c1', 0), await shares.take('user-c', 'c2', 0)];
    const waiting = shares.take('user-c', 'c3', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await held[0]?.();
    const got = await waiting;
    expect(got).not.toBeNull();
    expect((await redis.zrange('concurrency:webhook-deliveries:user-c', 0, -1)).sort()).toEqual([
      'c2',
      'c3',
    ]);
    await Promise.all([held[1]?.(), got?.()]);
  });
});
