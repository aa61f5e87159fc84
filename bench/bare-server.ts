/**
 * The floor for bench:http: a plain Fastify server doing the same work per `GET /v1/me` as the
 * API — verify the same HS256 JWT (the same jsonwebtoken through @nestjs/jwt, a prepared key,
 * the same claim checks), the same rate-limit Redis call (RedisThrottlerStorage's one EVALSHA),
 * the same PostgreSQL query (the user row by id, as the API's database role) and one JSON log line
 * with the same fields through pino — with no Nest, guards, interceptors or pipes. Also answers
 * `GET /health/live` and `GET /v1/me-static` (the same JSON with no work: the old baseline).
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import pino from 'pino';
import { API_DB_ROLE, RedisThrottlerStorage } from '@jewelshot/platform';
import { bearerVerifier } from './bearer-claims';

const port = Number(process.env.PORT ?? 38080);
const staticMe: unknown = JSON.parse(process.env.BARE_ME_BODY ?? '{}');
const verify = bearerVerifier(
  process.env.JWT_SECRET ?? '',
  Number(process.env.JWT_ACCESS_TTL_SECONDS ?? 900),
);
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  keyPrefix: process.env.REDIS_KEY_PREFIX,
});
const counters = new RedisThrottlerStorage(redis);
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
  options: `-c role=${API_DB_ROLE}`,
});
const log = pino({ level: 'info', base: { service: 'bare' } });

interface UserRow {
  id: string;
  email: string;
  role: string;
  status: string;
  priority_tier: string;
  email_verified_at: Date | null;
  language: string;
  created_at: Date;
}

const app = Fastify({ logger: false });
app.get('/health/live', async () => ({ status: 'ok' }));
app.get('/v1/me-static', async () => staticMe);
app.get('/v1/me', async (request, reply) => {
  const started = performance.now();
  const userId = verify(request.headers.authorization);
  if (userId === null) return reply.code(401).send({ code: 'UNAUTHORIZED' });
  await counters.increment(`user:${userId}`, 60_000, 1e9, 'default');
  const { rows } = await pool.query<UserRow>(
    `SELECT id, email, role, status, priority_tier, email_verified_at, language, created_at
       FROM users WHERE id = $1 LIMIT 1`,
    [userId],
  );
  const user = rows[0];
  if (!user) return reply.code(404).send({ code: 'NOT_FOUND' });
  log.info(
    {
      requestId: String(request.id),
      method: request.method,
      route: request.routeOptions.url ?? null,
      statusCode: 200,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      userId,
    },
    'request completed',
  );
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    status: user.status,
    priorityTier: user.priority_tier,
    emailVerified: user.email_verified_at !== null,
    language: user.language,
    createdAt: user.created_at.toISOString(),
  };
});

void app.listen({ port, host: '127.0.0.1' }).then(() => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => Promise.all([pool.end(), redis.quit()]))
    .then(() => process.exit(0));
});
