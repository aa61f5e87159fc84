import { randomUUID } from 'node:crypto';
import { LedgerService } from '@jewelshot/credit-ledger';
import { RowScope, ScheduleRunner, scheduleKey } from '@jewelshot/platform';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { expectLedgerClean, fund, jobRows, submit, waitTerminal } from '../support/ai';
import { newUser } from '../support/factories';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the safety net lives in PostgreSQL, not in Redis', () => {
  // A database of its own: its reconciler runs with a short grace, and would take the jobs
  // of the suites on the shared database as lost (test/support/test-env.ts).
  let db: SuiteDatabase;

  beforeAll(async () => {
    db = await suiteDatabase('safety_net');
  });

  afterAll(async () => {
    await db?.drop();
  });

  let redis: ThrowawayRedis;
  let api: TestApi | undefined;
  let worker: WorkerApp | undefined;

  beforeEach(async () => {
    // A Redis of this test's own: it is flushed mid-test.
    redis = await startThrowawayRedis();
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await api?.close();
    api = undefined;
    await redis.stop();
  });

  it('after FLUSHALL, with no restart, lost jobs run and settle and a stale hold expires', async () => {
    const intervalMs = 2000;
    const graceMs = 1000;
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: suitePrefix('safety-net'),
      DATABASE_URL: db.url,
      SIGNUP_CREDITS: '0',
      RECONCILE_INTERVAL_MS: String(intervalMs),
      RECONCILE_GRACE_MS: String(graceMs),
      HOLD_SWEEP_INTERVAL_MS: String(intervalMs),
    };
    api = await startApi(env);
    const user = await newUser(api);
    await fund(api, user, 7);
    const latencyMs = 500;
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1)
      ids.push(
        (await submit(api, user, { operation: 'generate', params: { prompt: `flushed ${i}` } }))
          .body.id,
      );
    // The worker starts after the submits, so however slow they were, most jobs are still queued.
    worker = await createWorker(
      loadConfig({
        ...baseTestEnv(),
        ...env,
        WORKER_CONCURRENCY: '1',
        LOCAL_PROVIDER_LATENCY_MS: String(latencyMs),
      }),
    );
    // A hold nothing works on (a reference that is no job), pending with its credit reserved.
    const ledger = api.app.get(LedgerService);
    const hold = await api.app
      .get(RowScope)
      .run(user.id, () => ledger.reserve(user.id, 'generate', `test:orphan-hold:${randomUUID()}`));
    for (
      let i = 0;
      i < 200 && !(await jobRows(api, ids)).some((row) => row.status === 'running');
      i += 1
    )
      await sleep(25);
    const before = await jobRows(api, ids);
    expect(before.filter((row) => row.status === 'queued').length).toBeGreaterThanOrEqual(3);

    // Redis loses everything: the BullMQ jobs, and what used to be the schedulers.
    const flushedAt = Date.now();
    expect(await redis.client().flushall()).toBe('OK');
    // Now the hold is past its time.
    const dataSource = api.db;
    await dataSource.query(
      `UPDATE credit_holds SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [hold.id],
    );

    // The reconciler re-enqueues within an interval (+ grace); then the jobs take their provider time.
    const bound = intervalMs + graceMs + ids.length * latencyMs + 15_000;
    const rows = await waitTerminal(api, ids, bound);
    expect(rows.every((row) => row.status === 'succeeded' && row.hold_status === 'posted')).toBe(
      true,
    );
    for (let i = 0; i < 100; i += 1) {
      const [current] = await dataSource.query(`SELECT status FROM credit_holds WHERE id = $1`, [
        hold.id,
      ]);
      if (current.status !== 'pending') break;
      await sleep(100);
    }
    const [expired] = await dataSource.query(`SELECT status FROM credit_holds WHERE id = $1`, [
      hold.id,
    ]);
    expect(expired.status).toBe('expired');
    const recoveredMs = Date.now() - flushedAt;
    process.stdout.write(
      `safety net: 6 jobs settled and the stale hold expired ${recoveredMs} ms after FLUSHALL (bound ${bound} ms)\n`,
    );

    const charges = await dataSource.query(
      `SELECT COUNT(*)::int AS n FROM credit_entries WHERE user_id = $1 AND kind = 'charge'`,
      [user.id],
    );
    expect(charges[0].n).toBe(6);
    await expectLedgerClean(api);

    // The runs are on record in PostgreSQL, after the flush, and /health says when.
    const [run] = await dataSource.query(
      `SELECT last_succeeded_at FROM schedule_runs WHERE name = $1`,
      [scheduleKey(api.config, 'reconcile')],
    );
    expect(run.last_succeeded_at.getTime()).toBeGreaterThan(flushedAt - 1000);
    let health = await api.http().get('/health');
    // The worker's heartbeat key went with the flush; it comes back within a third of its TTL.
    for (let i = 0; i < 100 && health.status !== 200; i += 1) {
      await sleep(100);
      health = await api.http().get('/health');
    }
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('healthy');
    expect(health.body.details.reconcile).toMatch(/^OK: last ran at \d{4}-\d\d-\d\dT/);
  });

  it('runs a schedule once per interval however many workers run it, and records each run', async () => {
    api = await startApi({ REDIS_URL: redis.url });
    const config = loadConfig({
      ...baseTestEnv(),
      REDIS_KEY_PREFIX: suitePrefix('safety-net-runner'),
    });
    const dataSource = api.db;
    // Three workers' runners on one schedule.
    const runners = [0, 1, 2].map(() => new ScheduleRunner(dataSource, config));
    const runsBy = [0, 0, 0];
    try {
      runners.forEach((runner, index) =>
        runner.every('probe', 1000, async () => {
          runsBy[index] = (runsBy[index] ?? 0) + 1;
          await sleep(20);
        }),
      );
      await sleep(3500);
    } finally {
      await Promise.all(runners.map((runner) => runner.onApplicationShutdown()));
    }
    const total = runsBy.reduce((sum, runs) => sum + runs, 0);
    // Claims at about 0, 1, 2 and 3 s: never one per runner per interval (which would be 9-12).
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBeLessThanOrEqual(4);
    const [row] = await dataSource.query(
      `SELECT runs, last_error, last_finished_at, last_duration_ms FROM schedule_runs WHERE name = $1`,
      [scheduleKey(config, 'probe')],
    );
    expect(row).toMatchObject({
      runs: total,
      last_error: null,
      last_finished_at: expect.any(Date),
    });
  });

  it("records a failed run's error as a log line has it: no value a database error quotes", async () => {
    api = await startApi({ REDIS_URL: redis.url });
    const config = loadConfig({
      ...baseTestEnv(),
      REDIS_KEY_PREFIX: suitePrefix('safety-net-failing'),
    });
    const dataSource = api.db;
    const runner = new ScheduleRunner(dataSource, config);
    try {
      runner.every('failing', 1000, async () => {
        await dataSource.query('SELECT $1::uuid', ['secret-token-3f9a']);
      });
      await sleep(1500);
    } finally {
      await runner.onApplicationShutdown();
    }
    const [row] = await dataSource.query(`SELECT last_error FROM schedule_runs WHERE name = $1`, [
      scheduleKey(config, 'failing'),
    ]);
    expect(row.last_error).toMatch(/invalid input syntax for type uuid/);
    expect(row.last_error).not.toContain('secret-token-3f9a');
  });

  it('reports /health degraded when the last reconcile is overdue, and says when it ran', async () => {
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: suitePrefix('safety-net-overdue'),
      DATABASE_URL: db.url,
      RECONCILE_INTERVAL_MS: '600000',
      RECONCILE_GRACE_MS: '0',
    };
    api = await startApi({ ...env, RECONCILE_INTERVAL_MS: '1000' });
    // A live worker (heartbeat), whose own long interval will not run the reconciler again soon.
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
    const key = scheduleKey(api.config, 'reconcile');
    const dataSource = api.db;
    for (
      let i = 0;
      i < 100 &&
      (
        await dataSource.query(
          `SELECT 1 FROM schedule_runs WHERE name = $1 AND last_succeeded_at IS NOT NULL`,
          [key],
        )
      ).length === 0;
      i += 1
    ) {
      await sleep(50);
    }
    const fresh = await api.http().get('/health');
    expect(fresh.status).toBe(200);
    expect(fresh.body.details.reconcile).toMatch(/^OK: last ran at/);

    // The API allows 2 x 1000 ms + 0: a run 30 s old is overdue.
    await dataSource.query(
      `UPDATE schedule_runs SET last_succeeded_at = now() - interval '30 seconds' WHERE name = $1`,
      [key],
    );
    const overdue = await api.http().get('/health');
    expect(overdue.status).toBe(503);
    expect(overdue.body).toMatchObject({
      status: 'degraded',
      services: { database: true, redis: true, worker: true },
      details: { reconcile: expect.stringMatching(/^Overdue: last ran at .* \(3\d s ago\)$/) },
    });

    // A worker that has just started is in its first run: healthy, and says so.
    await dataSource.query(
      `UPDATE schedule_runs SET last_succeeded_at = NULL, last_finished_at = NULL,
              last_started_at = now() WHERE name = $1`,
      [key],
    );
    const starting = await api.http().get('/health');
    expect(starting.status).toBe(200);
    expect(starting.body.details.reconcile).toBe('First run in progress');
    // That run ended without success, or has gone on past the limit: overdue.
    await dataSource.query(
      `UPDATE schedule_runs SET last_finished_at = now(), last_error = 'boom' WHERE name = $1`,
      [key],
    );
    const failedFirst = await api.http().get('/health');
    expect(failedFirst.status).toBe(503);
    expect(failedFirst.body.details.reconcile).toBe('Overdue: never succeeded');
    await dataSource.query(
      `UPDATE schedule_runs SET last_finished_at = NULL, last_started_at = now() - interval '30 seconds'
        WHERE name = $1`,
      [key],
    );
    const stuckFirst = await api.http().get('/health');
    expect(stuckFirst.status).toBe(503);
    expect(stuckFirst.body.details.reconcile).toBe('Overdue: never succeeded');
  });
});
