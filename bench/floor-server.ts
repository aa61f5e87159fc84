/**
 * bench:jobs' floor over HTTP: the same work as the in-process floor (bench/floor-work.ts), in
 * the shape ours has: an API process that takes `POST /v1/ai/jobs` (verify the same HS256 JWT,
 * the same one rate-limit Redis call, the floor's submit transaction, the BullMQ add, one JSON
 * log line, 202) and a worker process that claims, charges and marks it succeeded. Plain Fastify,
 * `pg` and BullMQ: no Nest, no events, no scoring, no image. FLOOR_ROLE=api or worker.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import pino from 'pino';
import { RedisThrottlerStorage } from '@jewelshot/platform';
import { bearerVerifier } from './bearer-claims';
import { floorProcess, floorSubmit, floorTx, type FloorCounts, type FloorJob } from './floor-work';

const QUEUE = 'floor-http';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${process.env.REDIS_KEY_PREFIX ?? 'bench:'}floor-http`;
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
  options: '-c app.all_users=on',
});
const counts: FloorCounts = { statements: 0, transactions: 0 };

function api(): { close: () => Promise<unknown> } {
  const port = Number(process.env.PORT ?? 38083);
  const verify = bearerVerifier(
    process.env.JWT_SECRET ?? '',
    Number(process.env.JWT_ACCESS_TTL_SECONDS ?? 900),
  );
  const redis = new Redis(redisUrl, { keyPrefix: process.env.REDIS_KEY_PREFIX });
  const counters = new RedisThrottlerStorage(redis);
  const queue = new Queue<FloorJob>(QUEUE, { connection: { url: redisUrl }, prefix });
  const log = pino({ level: 'info', base: { service: 'floor' } });
  const app = Fastify({ logger: false });
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.post('/v1/ai/jobs', async (request, reply) => {
    const started = performance.now();
    const userId = verify(request.headers.authorization);
    if (userId === null) return reply.code(401).send({ code: 'UNAUTHORIZED' });
    await counters.increment(`user:${userId}`, 60_000, 1e9, 'submit');
    const body = request.body as { params?: { prompt?: unknown } } | undefined;
    if (typeof body?.params?.prompt !== 'string')
      return reply.code(400).send({ code: 'VALIDATION_FAILED' });
    const ids = await floorTx(pool, counts, (query) =>
      floorSubmit(
        query,
        userId,
        `floor-http:${randomUUID()}`,
        JSON.stringify({ prompt: 'bench ring', via: 'http' }),
      ),
    );
    await queue.add('job', { ...ids, userId }, { removeOnComplete: true });
    log.info(
      {
        requestId: String(request.id),
        method: request.method,
        route: request.routeOptions.url ?? null,
        statusCode: 202,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        userId,
      },
      'request completed',
    );
    return reply.code(202).send({ id: ids.jobId, status: 'queued' });
  });
  void app.listen({ port, host: '127.0.0.1' }).then(() => process.stdout.write('ready\n'));
  return { close: () => app.close().then(() => Promise.all([queue.close(), redis.quit()])) };
}

function worker(): { close: () => Promise<unknown> } {
  const running = new Worker<FloorJob>(QUEUE, (job) => floorProcess(pool, counts, job.data), {
    connection: { url: redisUrl, maxRetriesPerRequest: null },
    prefix,
    concurrency: Number(process.env.WORKER_CONCURRENCY ?? 8),
  });
  process.stdout.write('ready\n');
  return { close: () => running.close() };
}

const role = process.env.FLOOR_ROLE === 'worker' ? worker() : api();
process.on('SIGTERM', () => {
  void role
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
