import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi } from '../support/app';
import { baseTestEnv } from '../support/test-env';
import { fund, submit } from '../support/ai';
import { bearer, newUser } from '../support/factories';
import { HealthService } from '@jewelshot/platform';

describe('health', () => {
  it('reports healthy with database, Redis and a live worker', async () => {
    // A prefix of its own, so no other suite's worker heartbeat counts here.
    const env = { REDIS_KEY_PREFIX: `${baseTestEnv().REDIS_KEY_PREFIX}health-ok:` };
    const api = await startApi(env);
    let worker: WorkerApp | undefined;
    try {
      const before = await api.http().get('/health');
      expect(before.status).toBe(503);
      expect(before.body.services).toEqual({ database: true, redis: true, worker: false });

      worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
      const res = await api.http().get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'healthy',
        timestamp: expect.any(Number),
        version: expect.any(String),
        services: { database: true, redis: true, worker: true },
        details: { database: 'Connected', redis: 'Connected', rateLimiter: 'Enforcing' },
      });

      // A worker that shuts down withdraws its heartbeat.
      await worker.close();
      worker = undefined;
      const after = await api.http().get('/health');
      expect(after.status).toBe(503);
      expect(after.body.services.worker).toBe(false);
    } finally {
      await worker?.close();
      await api.close();
    }
  });

  it('shows its details and version to the operator (the metrics token) only, the status and queue to anyone', async () => {
    const token = 'metrics-token-0123456789';
    const api = await startApi({
      REDIS_KEY_PREFIX: `${baseTestEnv().REDIS_KEY_PREFIX}health-token:`,
      METRICS_TOKEN: token,
    });
    try {
      const anyone = await api.http().get('/health');
      expect(anyone.body).toMatchObject({
        status: expect.any(String),
        services: { database: true, redis: true },
        queue: expect.objectContaining({ name: 'ai-jobs' }),
      });
      expect(anyone.body).not.toHaveProperty('details');
      expect(anyone.body).not.toHaveProperty('version');
      const wrong = await api.http().get('/health').set('Authorization', 'Bearer not-the-token');
      expect(wrong.body).not.toHaveProperty('details');
      const operator = await api.http().get('/health').set('Authorization', `Bearer ${token}`);
      expect(operator.status).toBe(anyone.status);
      expect(operator.body).toMatchObject({
        version: expect.any(String),
        details: { database: 'Connected', redis: 'Connected', rateLimiter: 'Enforcing' },
      });
    } finally {
      await api.close();
    }
  });

  it('answers 503 with services.redis false when Redis is unreachable, and keeps serving', async () => {
    const api = await startApi({
      REDIS_URL: 'redis://127.0.0.1:1',
      HEALTH_CHECK_TIMEOUT_MS: '500',
    });
    try {
      const res = await api.http().get('/health');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unhealthy');
      expect(res.body.services.redis).toBe(false);
      expect(res.body.services.database).toBe(true);
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:1/);

      const ready = await api.http().get('/health/ready');
      expect(ready.status).toBe(503);
      // The process is still alive and answering, and the rate limiter lets API calls through.
      expect((await api.http().get('/health/live')).status).toBe(200);
      const prices = await api.http().get('/v1/credits/prices');
      expect(prices.status).toBe(200);
      expect(prices.headers['x-ratelimit-limit']).toBeUndefined();
      expect(prices.headers['ratelimit']).toBeUndefined();
      // The limiter failed open for that request, and the report says so.
      const after = await api.http().get('/health');
      expect(after.body.details.rateLimiter).toMatch(
        /^Degraded: failing open since \S+ \(1 request\(s\) not limited\)$/,
      );
    } finally {
      await api.close();
    }
  });

  it('answers a burst of probes with one round of checks at a time, not one per probe', async () => {
    const api = await startApi({
      REDIS_KEY_PREFIX: `${baseTestEnv().REDIS_KEY_PREFIX}health-burst:`,
    });
    try {
      // Each round reads the database once: how many of those reads overlap?
      const health = api.app.get(HealthService) as unknown as {
        database: () => Promise<unknown>;
      };
      const database = health.database.bind(health);
      let running = 0;
      let most = 0;
      let rounds = 0;
      jest.spyOn(health, 'database').mockImplementation(async () => {
        rounds += 1;
        running += 1;
        most = Math.max(most, running);
        try {
          // A slow database, as under load: probes pile up while a round runs.
          await new Promise((resolve) => setTimeout(resolve, 100));
          return await database();
        } finally {
          running -= 1;
        }
      });
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          api.http().get(i % 2 === 0 ? '/health' : '/health/ready'),
        ),
      );
      expect(answers.every((res) => res.status === 200 || res.status === 503)).toBe(true);
      expect(answers.filter((res) => res.body.services).length).toBe(20);
      // One report round and one readiness round at a time, at most.
      expect(most).toBeLessThanOrEqual(2);
      expect(rounds).toBeLessThan(40);
      // A probe after the burst runs a round of its own: no answer is kept past its round.
      const before = rounds;
      await api.http().get('/health');
      expect(rounds).toBe(before + 1);
    } finally {
      await api.close();
    }
  });

  it('serves liveness, readiness, Swagger UI and the OpenAPI document unversioned', async () => {
    const api = await startApi();
    try {
      expect((await api.http().get('/health/live')).body).toEqual({ status: 'ok' });
      expect((await api.http().get('/health/ready')).body).toEqual({ status: 'ok' });
      const spec = await api.http().get('/openapi.json');
      expect(spec.status).toBe(200);
      expect(spec.body.openapi).toMatch(/^3\./);
      expect(Object.keys(spec.body.paths)).toEqual(
        expect.arrayContaining(['/v1/auth/register', '/health']),
      );
      const docs = await api.http().get('/docs').redirects(1);
      expect(docs.status).toBe(200);
      expect(docs.text).toContain('swagger');
      // Only the probes and docs live outside /v1.
      expect((await api.http().get('/me')).status).toBe(404);
    } finally {
      await api.close();
    }
  });

  it('shows what waits in the queue: depth and oldest waiting age, per priority', async () => {
    const env = { REDIS_KEY_PREFIX: `${baseTestEnv().REDIS_KEY_PREFIX}health-queue:` };
    const api = await startApi(env);
    const submitted: string[] = [];
    let token = '';
    try {
      const idle = await api.http().get('/health');
      expect(idle.body.details.queue).toMatch(/^Active - Queue: \d+ waiting/);
      const user = await newUser(api);
      await fund(api, user, 10);
      // No worker runs: the jobs wait. One is backdated so the age is known to be >= 60 s.
      const first = await submit(api, user, { operation: 'generate', params: { prompt: 'ring' } });
      const second = await submit(api, user, { operation: 'generate', params: { prompt: 'ring' } });
      expect([first.status, second.status]).toEqual([202, 202]);
      submitted.push(first.body.id, second.body.id);
      token = user.accessToken;
      await api.db.query(
        `UPDATE ai_jobs SET created_at = now() - interval '90 seconds' WHERE id = $1`,
        [first.body.id],
      );
      // Priority comes from the user's tier; set it on the row for a second priority here.
      await api.db.query(`UPDATE ai_jobs SET priority = 'high' WHERE id = $1`, [second.body.id]);
      const res = await api.http().get('/health');
      const { queue } = res.body;
      // Other suites' jobs share the database: at least ours wait, and ours is the oldest.
      expect(queue.name).toBe('ai-jobs');
      expect(queue.waiting).toBeGreaterThanOrEqual(2);
      expect(queue.byPriority.high.waiting).toBeGreaterThanOrEqual(1);
      expect(queue.byPriority.normal.waiting).toBeGreaterThanOrEqual(1);
      expect(queue.byPriority.normal.oldestWaitingSeconds).toBeGreaterThanOrEqual(90);
      expect(queue.oldestWaitingSeconds).toBeGreaterThanOrEqual(90);
      expect(res.body.details.queue).toMatch(
        new RegExp(
          `^Active - Queue: ${queue.waiting} waiting \\(oldest \\d+ s\\), ${queue.active} running$`,
        ),
      );
    } finally {
      // Canceled through the API (refunded), so no other suite's reconciler picks them up.
      for (const id of submitted)
        await api
          .http()
          .post(`/v1/ai/jobs/${id}/cancel`)
          .set(...bearer(token));
      await api.close();
    }
  });
});
