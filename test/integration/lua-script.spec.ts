import { Redis } from 'ioredis';
import { luaScript, RedisThrottlerStorage } from '@jewelshot/platform';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis';

/**
 * luaScript runs a script by its SHA-1 (EVALSHA) and sends its text only when the connection
 * has not loaded it yet: a Redis that lost its script cache (a restart, SCRIPT FLUSH) must not
 * fail the calls after it. Against a redis-server of the test's own (it flushes and restarts
 * it), with a key prefix and auto-pipelining on, as the API's shared client has them.
 */
describe('luaScript', () => {
  const prefix = 'lua-script:';
  let server: ThrowawayRedis;
  let redis: Redis;
  let plain: Redis;
  let sent: string[];

  beforeAll(async () => {
    server = await startThrowawayRedis();
    redis = new Redis(server.url, { keyPrefix: prefix, enableAutoPipelining: true });
    plain = server.client();
    sent = [];
    // What goes over the wire: the command names this client sends.
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      sent.push(command.name);
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof redis.sendCommand;
  });

  afterAll(async () => {
    redis?.disconnect();
    // Disconnects the plain client (made by the server) too.
    await server?.stop();
  });

  it('runs by SHA-1 after the first call, with the key prefix, and survives a flushed script cache', async () => {
    const bump = luaScript<number>(
      redis,
      'jewelshotTestBump',
      1,
      "return redis.call('INCR', KEYS[1])",
    );
    expect(await bump('counter')).toBe(1);
    expect(await bump('counter')).toBe(2);
    expect(await plain.get(`${prefix}counter`)).toBe('2');

    await plain.script('FLUSH');
    expect(await bump('counter')).toBe(3);
    expect(await Promise.all([bump('counter'), bump('counter')])).toEqual([4, 5]);
    // Each call went out as EVALSHA; the text (EVAL) only where the script was not loaded.
    expect(sent.filter((name) => name === 'evalsha').length).toBeGreaterThanOrEqual(4);
  });

  it('works again after Redis restarted empty (a new connection, no scripts)', async () => {
    const bump = luaScript<number>(
      redis,
      'jewelshotTestBump',
      1,
      "return redis.call('INCR', KEYS[1])",
    );
    await server.stop();
    await server.start();
    for (let i = 0; i < 50 && redis.status !== 'ready'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await bump('counter')).toBe(1);
    expect(await bump('counter')).toBe(2);
  });

  it('defines a script once per client: a second storage on the same client shares it', async () => {
    const first = new RedisThrottlerStorage(redis);
    const second = new RedisThrottlerStorage(redis);
    const a = await first.increment('caller', 60_000, 3, 'test');
    const b = await second.increment('caller', 60_000, 3, 'test');
    expect([a.totalHits, b.totalHits]).toEqual([1, 2]);
    expect(b.exceeded).toBe(false);
  });

  it('does not count a refused request: a smaller one still fits, and the next window starts empty', async () => {
    const storage = new RedisThrottlerStorage(redis);
    expect(await storage.increment('bytes', 400, 100, 'test', 60)).toMatchObject({
      totalHits: 60,
      exceeded: false,
    });
    // 60 + 50 would pass 100: refused, and the 50 are not kept.
    expect(await storage.increment('bytes', 400, 100, 'test', 50)).toMatchObject({
      totalHits: 60,
      exceeded: true,
    });
    expect(await storage.increment('bytes', 400, 100, 'test', 40)).toMatchObject({
      totalHits: 100,
      exceeded: false,
    });
    for (let i = 0; i < 3; i += 1)
      expect(await storage.increment('bytes', 400, 100, 'test', 1)).toMatchObject({
        totalHits: 100,
        exceeded: true,
      });
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await storage.increment('bytes', 400, 100, 'test', 1)).toMatchObject({
      totalHits: 1,
      exceeded: false,
    });
  });

  it('counts several windows all or none: refused by one, the request counts in neither', async () => {
    const storage = new RedisThrottlerStorage(redis);
    const windows = (bytes: number) => [
      { name: 'test-count', windowMs: 60_000, limit: 2 },
      { name: 'test-bytes', windowMs: 60_000, limit: 100, cost: bytes },
    ];
    const counts = async (bytes: number) =>
      (await storage.incrementAll('both', windows(bytes))).map((count) => [
        count.totalHits,
        count.exceeded,
      ]);
    expect(await counts(70)).toEqual([
      [1, false],
      [70, false],
    ]);
    // Past the bytes limit: the count window does not keep it either.
    expect(await counts(40)).toEqual([
      [1, false],
      [70, true],
    ]);
    expect(await counts(30)).toEqual([
      [2, false],
      [100, false],
    ]);
    // Past the count limit: the bytes window does not keep it either.
    expect(await counts(1)).toEqual([
      [2, true],
      [100, true],
    ]);
    // A cost of 0 reads the windows (a request refused before it could count): nothing exceeded.
    const read = await storage.incrementAll(
      'both',
      windows(0).map((window) => ({ ...window, cost: 0 })),
    );
    expect(read.map((count) => [count.totalHits, count.exceeded])).toEqual([
      [2, false],
      [100, false],
    ]);
    // A client of its own: the restart above closed `plain`.
    expect(
      await server
        .client()
        .mget(`${prefix}ratelimit:test-count:both:hits`, `${prefix}ratelimit:test-bytes:both:hits`),
    ).toEqual(['2', '100']);
  });
});
