import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { startApi, type TestApi } from '../support/app';
import { CapturedLog } from '../support/captured-log';
import { fund, upload } from '../support/ai';
import { bearer, newAdmin, newUser } from '../support/factories';
import { smallPng } from '../support/images';
import { suitePrefix } from '../support/test-env';
import { freePort } from '../support/free-port';
import { ThrowawayPostgres } from '../support/throwaway-postgres';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis';
import { startWorkerProcess } from '../support/worker-process';

interface ErrorBody {
  code?: string;
  error?: string;
  details?: Record<string, unknown>;
}

describe('outages are named truthfully', () => {
  // nestjs-pino keeps one root logger per process: the first app's destination and level are
  // every app's in this file, so both share one captured log and one level.
  const log = new CapturedLog();

  describe('PostgreSQL down or hung', () => {
    let cluster: ThrowawayPostgres;
    let api: TestApi;

    beforeAll(async () => {
      cluster = await ThrowawayPostgres.create();
      api = await startApi(
        {
          DATABASE_URL: cluster.url,
          REDIS_KEY_PREFIX: suitePrefix('outage-pg'),
          LOG_LEVEL: 'warn',
          REQUEST_DEADLINE_MS: '2000',
          // Room for every request of the hung case on a connection opened before the hang.
          DB_POOL_SIZE: '20',
          // The caller's status read on every request: a request waits on the database from its
          // auth guard on (a submit before its handler, as one past the cache's time does).
          USER_STATUS_CACHE_MS: '0',
        },
        { logDestination: log },
      );
    }, 120_000);

    afterAll(async () => {
      await api?.close();
      cluster?.destroy();
    });

    it('answers 503 with Retry-After (never 401) while it is down, logs it, and recovers without a restart', async () => {
      const user = await newUser(api);
      expect(
        (
          await api
            .http()
            .get('/v1/me')
            .set(...bearer(user.accessToken))
        ).status,
      ).toBe(200);

      cluster.stop();
      const down = await api
        .http()
        .get('/v1/me')
        .set(...bearer(user.accessToken));
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        statusCode: 503,
        code: 'SERVICE_UNAVAILABLE',
        requestId: expect.any(String),
      });
      expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
      const again = await api
        .http()
        .get('/v1/me')
        .set(...bearer(user.accessToken));
      expect(again.status).toBe(503);
      const lines = await log.waitFor(
        (line) =>
          line.msg === 'dependency unavailable: answered 503' &&
          line.requestId === down.headers['x-request-id'],
      );
      expect(lines).toHaveLength(1);
      expect(lines[0].level).toBe(40);

      cluster.start();
      // The pool reconnects on its own: the next requests succeed with the same API process.
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
        status = (
          await api
            .http()
            .get('/v1/me')
            .set(...bearer(user.accessToken))
        ).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(200);
    }, 60_000);

    it('answers at REQUEST_DEADLINE_MS: a submit 503 and its transaction does not commit when the server wakes; a read 503; other writes are answered when it wakes', async () => {
      const user = await newUser(api);
      await fund(api, user, 10);
      const image = (await upload(api, user, await smallPng(40, 40))).body.id as string;
      const job = { operation: 'generate', params: { prompt: 'a ring on slate' } };
      const batch = {
        name: 'hung',
        operation: 'remove-background',
        params: {},
        inputImageIds: [image],
      };
      const post = (path: string, body: object, key?: string) => {
        const req = api
          .http()
          .post(path)
          .set(...bearer(user.accessToken));
        if (key) req.set('Idempotency-Key', key);
        return req.send(body);
      };
      // Every connection of the pool open and idle, as in a running API (a connection opened
      // while the server is stopped would time out on its own, a 503 of the pool's).
      const pool = api.app.get(DataSource);
      await Promise.all(Array.from({ length: 10 }, () => pool.query('SELECT pg_sleep(0.1)')));

      const admin = await newAdmin(api);
      cluster.pause();
      // It wakes after 6 s whatever the answers: the submits' transactions then run to their end.
      const woken = new Promise<void>((resolve) =>
        setTimeout(() => {
          cluster.resume();
          resolve();
        }, 6000),
      );
      const started = Date.now();
      const timed = async (
        sent: Promise<{ status: number; headers: Record<string, string>; body: ErrorBody }>,
      ) => {
        const res = await sent;
        return { res, ms: Date.now() - started };
      };
      const [answers, read, write, refresh, verify] = await Promise.all([
        Promise.all([
          timed(post('/v1/ai/jobs', job)),
          timed(post('/v1/ai/jobs', job, 'hung-job')),
          timed(post('/v1/batches', batch)),
        ]),
        timed(
          api
            .http()
            .get('/v1/credits/balance')
            .set(...bearer(user.accessToken)),
        ),
        timed(post('/v1/api-keys', { name: 'hung', scopes: ['jobs:read'] })),
        timed(api.http().post('/v1/auth/refresh').send({ refreshToken: user.refreshToken })),
        timed(
          api
            .http()
            .get('/v1/admin/ledger/verify')
            .set(...bearer(admin.accessToken)),
        ),
      ]);
      await woken;
      // A read: come back later.
      expect({ status: read.res.status, code: read.res.body.code }).toEqual({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
      });
      expect(read.res.body.error).toMatch(/did not answer in time/);
      expect(Number(read.res.headers['retry-after'])).toBeGreaterThan(0);
      expect(read.ms).toBeLessThan(5000);
      // Other writes keep no deadline: one answered 503 would still commit when the server woke
      // (a refresh token rotated under a client told to retry with it: its retry would be taken
      // for a stolen token and end the session). They are answered once it wakes.
      expect(write.res.status).toBe(201);
      // A read that walks whole tables has no deadline either: answered once the server wakes.
      expect(verify.res.status).toBe(200);
      expect({ status: refresh.res.status, body: refresh.res.body }).toMatchObject({ status: 200 });
      const rotated = await api
        .http()
        .post('/v1/auth/refresh')
        .send({ refreshToken: (refresh.res.body as { refreshToken?: string }).refreshToken });
      expect(rotated.status).toBe(200);
      for (const { res, ms } of answers) {
        expect({ status: res.status, body: res.body }).toMatchObject({
          status: 503,
          body: { code: 'SERVICE_UNAVAILABLE', error: expect.stringMatching(/nothing was done/) },
        });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        // At the deadline, long before the server woke (or the HTTP idle timeout).
        expect(ms).toBeLessThan(5000);
      }

      // Awake: what was in flight ran to its end and rolled back; nothing was held or made.
      const made = async () =>
        (
          await api.db.query(
            `SELECT (SELECT count(*)::int FROM ai_jobs WHERE user_id = $1) AS jobs,
                    (SELECT count(*)::int FROM batches WHERE user_id = $1) AS batches,
                    (SELECT count(*)::int FROM credit_holds WHERE user_id = $1) AS holds,
                    (SELECT reserved::int FROM credit_accounts WHERE user_id = $1) AS reserved`,
            [user.id],
          )
        )[0] as { jobs: number; batches: number; holds: number; reserved: number };
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await made()).toEqual({ jobs: 0, batches: 0, holds: 0, reserved: 0 });
      // The keyed submit, sent again: made once, now.
      const again = await post('/v1/ai/jobs', job, 'hung-job');
      expect(again.status).toBe(202);
      expect(await made()).toEqual({ jobs: 1, batches: 0, holds: 1, reserved: 1 });
    }, 60_000);
  });

  describe('Redis that accepts connections and never answers', () => {
    let server: Server;
    const sockets = new Set<Socket>();
    let api: TestApi;
    let closing = false;

    beforeAll(async () => {
      server = createServer((socket) => {
        if (closing) {
          socket.destroy();
          return;
        }
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('data', () => undefined); // reads, says nothing
      });
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      api = await startApi(
        { REDIS_URL: `redis://127.0.0.1:${port}`, LOG_LEVEL: 'warn' },
        { logDestination: log },
      );
    }, 60_000);

    afterAll(async () => {
      // From here the silent server refuses, so the API's clients give up and close.
      closing = true;
      for (const socket of sockets) socket.destroy();
      await api?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('answers GET /v1/me within 1 s (the rate limiter fails open on a command timeout) and says so', async () => {
      // Registering needs PostgreSQL only: it too goes through once the limiter gives up.
      const token = (await newUser(api)).accessToken;
      for (let i = 0; i < 3; i += 1) {
        const started = Date.now();
        const res = await api
          .http()
          .get('/v1/me')
          .set(...bearer(token))
          .timeout(5000);
        const elapsed = Date.now() - started;
        expect(res.status).toBe(200);
        expect(elapsed).toBeLessThan(1000);
      }
      const warned = await log.waitFor((line) =>
        String(line.msg ?? '').startsWith('rate limiting skipped'),
      );
      // Said once for the three requests (then at most every 10 s), not once per request.
      expect(warned).toHaveLength(1);
      // The rate limiter's warning was written inside a request: it carries that request's id.
      expect(warned[0]?.requestId).toEqual(expect.any(String));
      // And the health report says the limiter is not enforcing.
      const health = await api.http().get('/health').timeout(10_000);
      expect(health.body.details.rateLimiter).toMatch(/^Degraded: failing open since /);
    }, 30_000);

    it('accepts a job within a few seconds: the enqueue gives up and leaves it to the reconciler', async () => {
      const user = await newUser(api);
      const started = Date.now();
      const res = await api
        .http()
        .post('/v1/ai/jobs')
        .set(...bearer(user.accessToken))
        .send({ operation: 'generate', params: { prompt: 'ring in a storm' } })
        .timeout(10_000);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('queued');
      expect(Date.now() - started).toBeLessThan(5000);
    }, 30_000);
  });

  describe('Redis that hangs while the API runs', () => {
    // An in-process API on a Redis of its own (the test pauses or starves it), keys under
    // `prefix`; however the test ends, the API is closed, then that Redis stopped.
    async function withApiOnThrowawayRedis(
      prefix: string,
      test: (api: TestApi, redis: ThrowawayRedis) => Promise<void>,
    ): Promise<void> {
      const redis = await startThrowawayRedis();
      try {
        const api = await startApi(
          { REDIS_URL: redis.url, REDIS_KEY_PREFIX: suitePrefix(prefix), LOG_LEVEL: 'warn' },
          { logDestination: log },
        );
        try {
          await test(api, redis);
        } finally {
          await api.close();
        }
      } finally {
        await redis.stop();
      }
    }

    it('reports the rate limiter enforcing again once Redis is back, with no request needed', async () => {
      await withApiOnThrowawayRedis('outage-back', async (api, redis) => {
        const token = (await newUser(api)).accessToken;
        redis.pause();
        const through = await api
          .http()
          .get('/v1/me')
          .set(...bearer(token))
          .timeout(5000);
        expect(through.status).toBe(200);
        const during = await api.http().get('/health').timeout(10_000);
        expect(during.body.details.rateLimiter).toMatch(/^Degraded/);
        redis.resume();
        // Only /health is asked (never rate-limited itself): the spell ends once Redis answers
        // and nothing has failed open for a few seconds.
        let detail = '';
        for (let i = 0; i < 40 && !detail.startsWith('Enforcing'); i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          detail = String(
            (await api.http().get('/health').timeout(10_000)).body.details.rateLimiter,
          );
        }
        expect(detail).toBe('Enforcing');
      });
    }, 60_000);

    it('keeps the limiter degraded while Redis answers pings but refuses writes (out of memory)', async () => {
      await withApiOnThrowawayRedis('outage-oom', async (api, redis) => {
        const admin = redis.client();
        const token = (await newUser(api)).accessToken;
        await admin.config('SET', 'maxmemory-policy', 'noeviction');
        await admin.config('SET', 'maxmemory', '1');
        const through = await api
          .http()
          .get('/v1/me')
          .set(...bearer(token))
          .timeout(5000);
        expect(through.status).toBe(200);
        expect(through.headers['x-ratelimit-limit']).toBeUndefined();
        // Quiet for longer than the spell needs, with Redis answering pings all along.
        await new Promise((resolve) => setTimeout(resolve, 6000));
        const still = await api.http().get('/health').timeout(10_000);
        expect(still.body.services.redis).toBe(true);
        expect(still.body.details.rateLimiter).toMatch(/^Degraded/);
        await admin.config('SET', 'maxmemory', '0');
        const back = await api.http().get('/health').timeout(10_000);
        expect(back.body.details.rateLimiter).toBe('Enforcing');
      });
    }, 60_000);

    it('an API process told to stop exits by API_SHUTDOWN_TIMEOUT_MS, with code 1, though its close waits on Redis', async () => {
      const redis = await startThrowawayRedis();
      const port = await freePort();
      const other = await startWorkerProcess(
        {
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: suitePrefix('outage-stop'),
          PORT: String(port),
          API_SHUTDOWN_TIMEOUT_MS: '3000',
          LOG_LEVEL: 'warn',
        },
        join('test', 'support', 'api-process-main.ts'),
      );
      try {
        redis.pause();
        const stopped = await Promise.race([
          other.stop(),
          new Promise<'still running'>((resolve) =>
            setTimeout(() => resolve('still running'), 15_000),
          ),
        ]);
        expect(stopped).toBe(1);
        expect(other.output()).toMatch(
          /API did not stop within API_SHUTDOWN_TIMEOUT_MS \(3000 ms\): exiting/,
        );
      } finally {
        await other.kill();
        await redis.stop();
      }
    }, 60_000);
  });
});
