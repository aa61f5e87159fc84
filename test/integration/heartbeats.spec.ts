import { Redis } from 'ioredis';
import { clearHeartbeat, readHeartbeats, writeHeartbeat } from '@jewelshot/platform';
import { suitePrefix, TEST_REDIS_URL } from '../support/test-env';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Worker heartbeats, read by every /health and admin queue view: found through their index,
 * never by scanning the keyspace (whose cost grew with every queue job and rate-limit counter).
 * Against the test Redis, under a prefix of its own.
 */
describe('worker heartbeats', () => {
  const prefix = suitePrefix('heartbeats');
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(prefix.length)));
    redis.disconnect();
  });

  const beat = (id: string) => ({ id, pid: 1, startedAt: new Date().toISOString(), at: '' });

  it('reads the live ones without a SCAN, however many other keys there are', async () => {
    const pipeline = redis.pipeline();
    for (let i = 0; i < 5000; i += 1) pipeline.set(`bull:ai-jobs:${i}`, 'x');
    await pipeline.exec();
    await writeHeartbeat(redis, beat('w1'), 15);
    await writeHeartbeat(redis, beat('w2'), 15);
    const scan = jest.spyOn(redis, 'scan');
    try {
      expect((await readHeartbeats(redis)).map((b) => b.id).sort()).toEqual(['w1', 'w2']);
      expect(scan).not.toHaveBeenCalled();
    } finally {
      scan.mockRestore();
    }
    await clearHeartbeat(redis, 'w2');
    expect((await readHeartbeats(redis)).map((b) => b.id)).toEqual(['w1']);
    await clearHeartbeat(redis, 'w1');
  });

  it('forgets a worker that stopped beating once its heartbeat expires, in the index too', async () => {
    await writeHeartbeat(redis, beat('gone'), 1);
    expect((await readHeartbeats(redis)).map((b) => b.id)).toEqual(['gone']);
    await sleep(1100);
    expect(await readHeartbeats(redis)).toEqual([]);
    expect(await redis.zcard('worker:heartbeats')).toBe(0);
  });
});
