import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { aiQueue, expectLedgerClean, fund, jobRows, submit, waitTerminal } from '../support/ai';
import { loadConfig } from '../support/config';
import { bearer, newAdmin, newUser } from '../support/factories';
import { baseTestEnv, suitePrefix } from '../support/test-env';

describe('admin queue controls', () => {
  let api: TestApi;
  let worker: WorkerApp;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    env = { REDIS_KEY_PREFIX: suitePrefix('admin-queues'), SIGNUP_CREDITS: '0' };
    api = await startApi(env);
    worker = await createWorker(
      loadConfig({ ...baseTestEnv(), ...env, LOCAL_PROVIDER_LATENCY_MS: '50' }),
    );
  });

  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  it('pause: jobs submitted while paused stay queued and uncharged; resume runs each once', async () => {
    const admin = await newAdmin(api);
    const user = await newUser(api);
    await fund(api, user, 3);
    const paused = await api
      .http()
      .post('/v1/admin/queues/pause')
      .set(...bearer(admin.accessToken))
      .send({ reason: 'provider maintenance' });
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);

    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await submit(api, user, { operation: 'generate', params: { prompt: `p${i}` } });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    const queue = aiQueue(api);
    try {
      // Give the worker every chance to (wrongly) take them: a window, not a timed assertion.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const counts = await queue.getJobCounts('wait', 'prioritized', 'active', 'completed');
      // Said together, so that a failure shows whether the pause was lost or ignored.
      expect({
        paused: await queue.isPaused(),
        counts,
        rows: (await jobRows(api, ids)).map((row) => row.status),
      }).toMatchObject({
        paused: true,
        counts: { active: 0, completed: 0 },
        rows: ['queued', 'queued', 'queued'],
      });
      expect((counts.wait ?? 0) + (counts.prioritized ?? 0)).toBe(3);
      expect((await jobRows(api, ids)).map((row) => row.status)).toEqual([
        'queued',
        'queued',
        'queued',
      ]);
      const stats = await api
        .http()
        .get('/v1/admin/queues')
        .set(...bearer(admin.accessToken));
      expect(stats.body.queuedByPriority.normal).toBeGreaterThanOrEqual(3);
      expect(stats.body.oldestWaitingSeconds).toEqual(expect.any(Number));
      expect(stats.body.workers.length).toBeGreaterThanOrEqual(1);

      const resumed = await api
        .http()
        .post('/v1/admin/queues/resume')
        .set(...bearer(admin.accessToken))
        .send({ reason: 'maintenance over' });
      expect(resumed.body.paused).toBe(false);
      const rows = await waitTerminal(api, ids);
      expect(rows.map((row) => [row.status, row.hold_status])).toEqual([
        ['succeeded', 'posted'],
        ['succeeded', 'posted'],
        ['succeeded', 'posted'],
      ]);
      const charges = await api.db.query(
        `SELECT COUNT(*)::int AS n FROM credit_entries WHERE user_id = $1 AND kind = 'charge'`,
        [user.id],
      );
      expect(charges[0].n).toBe(3);
      await expectLedgerClean(api);
      const log = await api
        .http()
        .get(`/v1/admin/audit?actorId=${admin.id}`)
        .set(...bearer(admin.accessToken));
      expect(log.body.data.map((e: { action: string }) => e.action)).toEqual([
        'queue.resume',
        'queue.pause',
      ]);
      expect(log.body.data[1]).toMatchObject({
        before: { paused: false },
        after: { paused: true },
      });
    } finally {
      await queue.close();
    }
  });
});
