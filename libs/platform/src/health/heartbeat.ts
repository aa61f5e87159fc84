import type { Redis } from 'ioredis';

/** Key under which each worker process announces itself; /health reads them. */
export const WORKER_HEARTBEAT_KEY = 'worker:heartbeat:';

export interface WorkerHeartbeat {
  id: string;
  pid: number;
  startedAt: string;
  at: string;
}

export async function writeHeartbeat(
  redis: Redis,
  beat: WorkerHeartbeat,
  ttlSeconds: number,
): Promise<void> {
  await redis.set(`${WORKER_HEARTBEAT_KEY}${beat.id}`, JSON.stringify(beat), 'EX', ttlSeconds);
}

export async function clearHeartbeat(redis: Redis, id: string): Promise<void> {
  await redis.del(`${WORKER_HEARTBEAT_KEY}${id}`);
}

/** The live heartbeats (keys expire on their own when a worker stops beating). */
export async function readHeartbeats(redis: Redis): Promise<WorkerHeartbeat[]> {
  const prefix = redis.options.keyPrefix ?? '';
  const keys: string[] = [];
  let cursor = '0';
  do {
    // SCAN's MATCH does not get ioredis' keyPrefix applied, so spell it out.
    const [next, batch] = await redis.scan(
      cursor,
      'MATCH',
      `${prefix}${WORKER_HEARTBEAT_KEY}*`,
      'COUNT',
      200,
    );
    cursor = next;
    keys.push(...batch.map((key) => key.slice(prefix.length)));
  } while (cursor !== '0' && keys.length < 1000);
  if (keys.length === 0) return [];
  const values = await redis.mget(keys);
  return values.flatMap((value) => (value ? [JSON.parse(value) as WorkerHeartbeat] : []));
}
