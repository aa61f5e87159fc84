import type { Redis } from 'ioredis';

/** Key under which each worker process announces itself; /health reads them. */
export const WORKER_HEARTBEAT_KEY = 'worker:heartbeat:';

export interface WorkerHeartbeat {
  id: string;
  pid: number;
  startedAt: string;
  at: string;
}

/**
 * The live workers, by when their heartbeat expires (ms since the epoch): read without a SCAN
 * of the keyspace, whose cost grew with every key in Redis (queue jobs, rate-limit counters),
 * on every /health and admin queue view.
 */
export const WORKER_HEARTBEATS_INDEX = 'worker:heartbeats';

export async function writeHeartbeat(
  redis: Redis,
  beat: WorkerHeartbeat,
  ttlSeconds: number,
): Promise<void> {
  await redis
    .multi()
    .set(`${WORKER_HEARTBEAT_KEY}${beat.id}`, JSON.stringify(beat), 'EX', ttlSeconds)
    .zadd(WORKER_HEARTBEATS_INDEX, Date.now() + ttlSeconds * 1000, beat.id)
    .exec();
}

export async function clearHeartbeat(redis: Redis, id: string): Promise<void> {
  await redis.multi().del(`${WORKER_HEARTBEAT_KEY}${id}`).zrem(WORKER_HEARTBEATS_INDEX, id).exec();
}

/**
 * The live heartbeats: the index's unexpired ids (those past their time are dropped from it
 * here), then their keys, which expire on their own when a worker stops beating. Two round
 * trips whatever else Redis holds.
 */
export async function readHeartbeats(redis: Redis): Promise<WorkerHeartbeat[]> {
  const now = Date.now();
  const [, live] = ((await redis
    .multi()
    .zremrangebyscore(WORKER_HEARTBEATS_INDEX, '-inf', now)
    .zrangebyscore(WORKER_HEARTBEATS_INDEX, now, '+inf', 'LIMIT', 0, 1000)
    .exec()) ?? []) as Array<[Error | null, unknown]>;
  if (live?.[0]) throw live[0];
  const ids = (live?.[1] ?? []) as string[];
  if (ids.length === 0) return [];
  const values = await redis.mget(ids.map((id) => `${WORKER_HEARTBEAT_KEY}${id}`));
  return values.flatMap((value) => (value ? [JSON.parse(value) as WorkerHeartbeat] : []));
}
