import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { aiQueue, expectLedgerClean, fund, jobRows, submit, waitTerminal } from '../support/ai';
import { loadConfig } from '../support/config';
import { bearer, newAdmin, newUser, type TestUser } from '../support/factories';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
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

/**
 * Pausing or resuming the queue is a Redis call, which a rolled back transaction does not undo:
 * it is made only once the audit chain is held, and put back when its event does not commit.
 * On a database of its own: the suite holds the chain's lock and fails its inserts.
 */
describe('admin queue controls: no change of the queue without its event', () => {
  let own: SuiteDatabase;
  let api: TestApi;
  let queue: Queue;
  const CHAIN_LOCK = 0x6a7361756469; // libs/audit's append lock

  beforeAll(async () => {
    own = await suiteDatabase('admin_queues');
    api = await startApi({
      DATABASE_URL: own.url,
      REDIS_KEY_PREFIX: suitePrefix('admin-queues-audit'),
    });
    queue = aiQueue(api);
  });

  afterAll(async () => {
    await queue.close();
    await api.close();
    await own.drop();
  });

  const pause = (admin: TestUser) =>
    api
      .http()
      .post('/v1/admin/queues/pause')
      .set(...bearer(admin.accessToken))
      .send({ reason: 'provider maintenance' });

  const eventsOf = async (action: string) =>
    (
      (await api.db.query('SELECT outcome FROM audit_events WHERE action = $1 ORDER BY seq', [
        action,
      ])) as Array<{ outcome: string }>
    ).map((row) => row.outcome);

  it('pauses only once the audit chain is held: while another append holds it, the queue runs on', async () => {
    const admin = await newAdmin(api);
    const holder = new Client({ connectionString: own.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [CHAIN_LOCK]);
      const answered = pause(admin).then((res) => res);
      // A window for the (wrong) early pause to show, not a timed assertion.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect({ paused: await queue.isPaused(), events: await eventsOf('queue.pause') }).toEqual({
        paused: false,
        events: [],
      });
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [CHAIN_LOCK]);
      expect((await answered).status).toBe(200);
      expect({ paused: await queue.isPaused(), events: await eventsOf('queue.pause') }).toEqual({
        paused: true,
        events: ['succeeded'],
      });
    } finally {
      await holder.end();
      await queue.resume();
    }
  });

  it('puts the queue back when the event cannot be written, and records the failure', async () => {
    const admin = await newAdmin(api);
    await queue.resume();
    const before = await eventsOf('queue.pause');
    await api.db.query(`
      CREATE FUNCTION refuse_pause_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'queue.pause' AND NEW.outcome = 'succeeded' THEN
          RAISE EXCEPTION 'audit insert refused by the test';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_pause_event BEFORE INSERT ON audit_events
        FOR EACH ROW EXECUTE FUNCTION refuse_pause_event();`);
    try {
      const res = await pause(admin);
      expect(res.status).toBe(500);
      expect({ paused: await queue.isPaused(), events: await eventsOf('queue.pause') }).toEqual({
        paused: false,
        events: [...before, 'failed'],
      });
    } finally {
      await api.db.query(
        'DROP TRIGGER refuse_pause_event ON audit_events; DROP FUNCTION refuse_pause_event()',
      );
    }
  });
});
