import { Redis } from 'ioredis';
import { AI_QUEUE, Reconciler } from '@jewelshot/ai-jobs';
import { LedgerVerifier } from '@jewelshot/credit-ledger';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { aiQueue, expectLedgerClean, fund, jobRows, submit, waitTerminal } from '../support/ai';
import { bearer, newAdmin, newUser } from '../support/factories';
import { baseTestEnv, suitePrefix, TEST_REDIS_URL } from '../support/test-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { startThrowawayRedis } from '../support/throwaway-redis';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';

describe('queue, priorities and recovery', () => {
  // A database of its own: its reconciler runs with a short grace, and would take the jobs
  // of the suites on the shared database as lost (test/support/test-env.ts).
  let db: SuiteDatabase;

  beforeAll(async () => {
    db = await suiteDatabase('ai_queue');
  });

  afterAll(async () => {
    await db?.drop();
  });

  let api: TestApi;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    // Each test has a queue of its own.
    env = { REDIS_KEY_PREFIX: suitePrefix('ai-queue'), DATABASE_URL: db.url, SIGNUP_CREDITS: '0' };
    api = await startApi(env);
  });

  afterEach(async () => {
    await api.close();
  });

  it('starts a high-priority job before 50 low ones submitted earlier, with the workers saturated', async () => {
    const low = await newUser(api, 'low');
    const high = await newUser(api, 'high');
    await fund(api, low, 50);
    await fund(api, high, 1);
    await api.db.query(`UPDATE users SET priority_tier = 'low' WHERE id = $1`, [low.id]);
    const admin = await newAdmin(api);
    const set = await api
      .http()
      .put(`/v1/admin/users/${high.id}/priority-tier`)
      .set(...bearer(admin.accessToken))
      .send({ priorityTier: 'high', reason: 'key account' });
    expect(set.status).toBe(200);
    expect(set.body.priorityTier).toBe('high');
    const refused = await api
      .http()
      .put(`/v1/admin/users/${high.id}/priority-tier`)
      .set(...bearer(low.accessToken))
      .send({ priorityTier: 'high', reason: 'key account' });
    expect(refused.status).toBe(403);

    const worker: WorkerApp = await createWorker(
      // Slow enough that the 50 low jobs are far from done when the high one arrives, even on a busy machine.
      loadConfig({
        ...baseTestEnv(),
        ...env,
        WORKER_CONCURRENCY: '1',
        LOCAL_PROVIDER_LATENCY_MS: '150',
      }),
    );
    try {
      const lows: string[] = [];
      for (let i = 0; i < 50; i += 1) {
        const res = await submit(api, low, {
          operation: 'generate',
          params: { prompt: `low ${i}` },
        });
        expect(res.body.priority).toBe('low');
        lows.push(res.body.id);
      }
      const submittedHighAt = new Date();
      const { body: urgent } = await submit(api, high, {
        operation: 'generate',
        params: { prompt: 'urgent' },
      });
      expect(urgent.priority).toBe('high');
      const rows = await waitTerminal(api, [...lows, urgent.id]);
      const highRow = rows.find((row) => row.id === urgent.id);
      const highStart = highRow?.started_at?.getTime() ?? Infinity;
      const lowsStartedAfterSubmit = rows.filter(
        (row) =>
          row.id !== urgent.id && (row.started_at?.getTime() ?? 0) >= submittedHighAt.getTime(),
      );
      const lowsBeforeHigh = lowsStartedAfterSubmit.filter(
        (row) => (row.started_at?.getTime() ?? 0) < highStart,
      );
      // Several low jobs were still waiting when the high one came, and at most the one that
      // was already being picked up went first.
      expect(lowsStartedAfterSubmit.length).toBeGreaterThan(10);
      expect(lowsBeforeHigh.length).toBeLessThanOrEqual(1);
    } finally {
      await worker.close();
    }
  });

  it('re-enqueues queued jobs whose BullMQ keys were flushed, and they finish', async () => {
    const user = await newUser(api);
    await fund(api, user, 5);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push(
        (await submit(api, user, { operation: 'generate', params: { prompt: `lost ${i}` } })).body
          .id,
      );

    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${api.config.REDIS_KEY_PREFIX}bull:ai-jobs:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    await redis.quit();

    const worker = await createWorker(
      loadConfig({
        ...baseTestEnv(),
        ...env,
        RECONCILE_INTERVAL_MS: '500',
        RECONCILE_GRACE_MS: '0',
      }),
    );
    try {
      const rows = await waitTerminal(api, ids, 30_000);
      expect(rows.every((row) => row.status === 'succeeded' && row.hold_status === 'posted')).toBe(
        true,
      );
    } finally {
      await worker.close();
    }
    await expectLedgerClean(api);
  });

  it('survives a SIGKILLed worker: after a restart every job ends, none charged twice', async () => {
    const user = await newUser(api);
    await fund(api, user, 12);
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1)
      ids.push(
        (await submit(api, user, { operation: 'generate', params: { prompt: `crash ${i}` } })).body
          .id,
      );
    const workerEnv = {
      ...env,
      WORKER_CONCURRENCY: '4',
      LOCAL_PROVIDER_LATENCY_MS: '1500',
      JOB_LOCK_MS: '2000',
      RECONCILE_INTERVAL_MS: '1000',
      RECONCILE_GRACE_MS: '0',
    };
    const first = await startWorkerProcess(workerEnv);
    // Wait until jobs are mid-flight, then pull the plug.
    for (let i = 0; i < 100; i += 1) {
      const rows = await jobRows(api, ids);
      if (rows.filter((row) => row.status === 'running').length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const runningAtKill = (await jobRows(api, ids)).filter(
      (row) => row.status === 'running',
    ).length;
    expect(runningAtKill).toBeGreaterThan(0);
    await first.kill();

    const second = await startWorkerProcess({ ...workerEnv, LOCAL_PROVIDER_LATENCY_MS: '50' });
    try {
      const rows = await waitTerminal(api, ids, 60_000);
      expect(rows.every((row) => row.status === 'succeeded')).toBe(true);
      const charges = await api.db.query(
        `SELECT COUNT(*)::int AS n FROM credit_entries WHERE user_id = $1 AND kind = 'charge'`,
        [user.id],
      );
      expect(charges[0].n).toBe(12);
    } finally {
      await second.stop();
    }
    // SIGTERM ran the shutdown hooks (the heartbeat is withdrawn and logged) before exiting.
    expect(second.output()).toMatch(/worker .* stopped/);
    await expectLedgerClean(api);
  });

  it('a worker told to stop (SIGTERM) finishes and settles its running jobs before it closes its connections', async () => {
    const user = await newUser(api);
    await fund(api, user, 2);
    const ids: string[] = [];
    for (let i = 0; i < 2; i += 1)
      ids.push(
        (await submit(api, user, { operation: 'generate', params: { prompt: `drain ${i}` } })).body
          .id,
      );
    const worker = await startWorkerProcess({
      ...env,
      WORKER_CONCURRENCY: '2',
      LOCAL_PROVIDER_LATENCY_MS: '2500',
    });
    let stopped = false;
    try {
      for (let i = 0; i < 200; i += 1) {
        const rows = await jobRows(api, ids);
        if (rows.every((row) => row.status === 'running')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await jobRows(api, ids)).map((row) => row.status)).toEqual(['running', 'running']);
      await worker.stop();
      stopped = true;
      // No other worker runs: what is settled, the stopping worker settled.
      expect((await jobRows(api, ids)).map((row) => row.status)).toEqual([
        'succeeded',
        'succeeded',
      ]);
      expect(worker.output()).toMatch(/queue workers drained/);
      expect(worker.output()).not.toMatch(/Driver not Connected/);
      await expectLedgerClean(api);
    } finally {
      if (!stopped) await worker.kill();
    }
  });

  it('a worker told to stop while its Redis hangs exits by its deadline, with code 1', async () => {
    const redis = await startThrowawayRedis();
    let worker: WorkerProcess | undefined;
    try {
      worker = await startWorkerProcess({
        ...env,
        REDIS_URL: redis.url,
        WORKER_SHUTDOWN_TIMEOUT_MS: '3000',
      });
      const beats = await redis.client().keys('*worker*');
      expect(beats.length).toBeGreaterThan(0);
      // Its AI queue worker is connected (BullMQ names its connections after the queue): the
      // app logs "is up" before BullMQ has connected, and a worker that never connected has
      // nothing to drain.
      const queueName = Buffer.from(AI_QUEUE).toString('base64');
      const client = redis.client();
      const connectedBy = Date.now() + 30_000;
      while (!String(await client.client('LIST')).includes(queueName)) {
        if (Date.now() > connectedBy)
          throw new Error(`the AI queue worker never connected:\n${worker.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Hung, not gone: a Redis that refuses connections lets the drain end at once (as it
      // should), one that holds them open and never answers holds it for ever.
      redis.pause();
      // The drain waits on a Redis that does not answer; the deadline ends the process.
      const stopping = worker;
      let guard: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        stopping.stop(),
        new Promise<never>((_, reject) => {
          guard = setTimeout(
            () => reject(new Error(`still running 20 s after SIGTERM:\n${stopping.output()}`)),
            20_000,
          );
        }),
      ]).finally(() => clearTimeout(guard));
      if (code !== 1) throw new Error(`exit code ${code}, not 1:\n${stopping.output()}`);
      expect(worker.output()).toMatch(/draining/);
      expect(worker.output()).toMatch(/did not stop within WORKER_SHUTDOWN_TIMEOUT_MS \(3000 ms\)/);
      worker = undefined;
    } finally {
      await worker?.kill();
      await redis.stop();
    }
    // A worker process of its own, started from the TypeScript sources: on a clean checkout
    // under a loaded CI its start alone can take half a minute.
  }, 120_000);

  it('withdraws its heartbeat before it drains: a stopping worker is no longer counted', async () => {
    const user = await newUser(api);
    await fund(api, user, 1);
    const { body } = await submit(api, user, { operation: 'generate', params: { prompt: 'w' } });
    const worker = await startWorkerProcess({ ...env, LOCAL_PROVIDER_LATENCY_MS: '3000' });
    // A plain client: the pattern names the prefixed keys itself.
    const redis = new Redis(TEST_REDIS_URL);
    const beats = async () =>
      (await redis.keys(`${env.REDIS_KEY_PREFIX}worker:heartbeat:*`)).length;
    let stopped: Promise<number | null> | undefined;
    try {
      for (let i = 0; i < 200; i += 1) {
        if ((await jobRows(api, [body.id]))[0]?.status === 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await beats()).toBe(1);
      stopped = worker.stop();
      // While its job still runs (the drain waits for it), the worker is no longer announced.
      for (let i = 0; i < 100 && (await beats()) > 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await beats()).toBe(0);
      expect((await jobRows(api, [body.id]))[0]?.status).toBe('running');
      await stopped;
      expect((await jobRows(api, [body.id]))[0]?.status).toBe('succeeded');
    } finally {
      if (!stopped) await worker.kill();
      redis.disconnect();
    }
  });

  it('fails and refunds a job stuck running past its deadline', async () => {
    const user = await newUser(api);
    await fund(api, user, 1);
    const { body } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'stuck' },
    });
    // What a job whose worker vanished without a trace looks like, long after its start: its
    // BullMQ job is gone too (else the worker started below could claim it again first).
    const queue = aiQueue(api);
    try {
      await (await queue.getJob(body.id))?.remove();
    } finally {
      await queue.close();
    }
    await api.db.query(
      `UPDATE ai_jobs SET status = 'running', attempts = 1, started_at = now() - interval '2 hours', updated_at = now() - interval '2 hours' WHERE id = $1`,
      [body.id],
    );
    const worker = await createWorker(
      loadConfig({ ...baseTestEnv(), ...env, JOB_RUNNING_DEADLINE_MS: '60000' }),
    );
    try {
      // The worker's own scheduled run may get there first; either way it happens once.
      await worker.context.get(Reconciler).reconcile();
    } finally {
      await worker.close();
    }
    const [row] = await jobRows(api, [body.id]);
    expect(row).toMatchObject({ status: 'failed', hold_status: 'voided' });
    const view = await api
      .http()
      .get(`/v1/ai/jobs/${body.id}`)
      .set(...bearer(user.accessToken));
    expect(view.body.error.code).toBe('DEADLINE_EXCEEDED');
    await expectLedgerClean(api);
  });

  it('fails running jobs past their deadline as DEADLINE_EXCEEDED, never as a cancel nobody asked for', async () => {
    const user = await newUser(api);
    await fund(api, user, 6);
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1)
      ids.push(
        (await submit(api, user, { operation: 'generate', params: { prompt: `slow ${i}` } })).body
          .id,
      );
    // A provider that takes far longer than the deadline: every job is still running at it.
    const worker = await createWorker(
      loadConfig({
        ...baseTestEnv(),
        ...env,
        WORKER_CONCURRENCY: '6',
        LOCAL_PROVIDER_LATENCY_MS: '30000',
        JOB_RUNNING_DEADLINE_MS: '1000',
        RECONCILE_INTERVAL_MS: '3600000',
      }),
    );
    try {
      for (let i = 0; (await jobRows(api, ids)).some((row) => row.status !== 'running'); i += 1) {
        if (i > 200) throw new Error('the jobs did not all start');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await worker.context.get(Reconciler).reconcile();
      const rows = await waitTerminal(api, ids, 20_000);
      expect(rows.map((row) => [row.status, row.hold_status])).toEqual(
        ids.map(() => ['failed', 'voided']),
      );
      const errors = await api.db.query(
        `SELECT error_code FROM ai_jobs WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      expect(errors).toEqual(ids.map(() => ({ error_code: 'DEADLINE_EXCEEDED' })));
    } finally {
      await worker.close();
    }
    await expectLedgerClean(api);
  });

  it("does not fail a job as past its deadline because its worker's clock lags the database's", async () => {
    const user = await newUser(api);
    await fund(api, user, 1);
    const { body } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'a worker whose clock lags' },
    });
    // The worker (in this process) reads a clock two minutes behind the database's, past the
    // one-minute deadline: the times it writes must be the database's, or the job it has just
    // claimed looks two minutes old to the reconciler.
    jest.useFakeTimers({
      now: Date.now() - 120_000,
      advanceTimers: true,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    const worker = await createWorker(
      loadConfig({
        ...baseTestEnv(),
        ...env,
        LOCAL_PROVIDER_LATENCY_MS: '30000',
        JOB_RUNNING_DEADLINE_MS: '60000',
        RECONCILE_INTERVAL_MS: '3600000',
      }),
    );
    try {
      for (let i = 0; (await jobRows(api, [body.id]))[0]?.status !== 'running'; i += 1) {
        if (i > 200) throw new Error('the job did not start');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const report = await worker.context.get(Reconciler).reconcile();
      expect(report.failedStuck).toBe(0);
      const [row] = (await api.db.query(
        `SELECT status, error_code, now() - updated_at < interval '10 seconds' AS fresh
           FROM ai_jobs WHERE id = $1`,
        [body.id],
      )) as Array<{ status: string; error_code: string | null; fresh: boolean }>;
      expect(row).toEqual({ status: 'running', error_code: null, fresh: true });
    } finally {
      jest.useRealTimers();
    }
    try {
      expect(
        (
          await api
            .http()
            .post(`/v1/ai/jobs/${body.id}/cancel`)
            .set('Authorization', `Bearer ${user.accessToken}`)
        ).status,
      ).toBe(200);
      const [row] = await waitTerminal(api, [body.id], 20_000);
      expect(row).toMatchObject({ status: 'canceled', hold_status: 'voided' });
    } finally {
      await worker.close();
    }
    await expectLedgerClean(api);
  });

  it('never runs a job submitted as its owner was banned: it is canceled and refunded when a worker takes it', async () => {
    const user = await newUser(api);
    await fund(api, user, 1);
    const { body } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'banned meanwhile' },
    });
    // The ban committed after this job (its sweep of queued jobs did not see it): what a
    // submit admitted within USER_STATUS_CACHE_MS of the ban leaves behind.
    await api.db.query(`UPDATE users SET status = 'banned' WHERE id = $1`, [user.id]);
    const worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
    try {
      const [row] = await waitTerminal(api, [body.id], 20_000);
      expect(row).toMatchObject({ status: 'canceled', hold_status: 'voided', attempts: 0 });
      const [job] = (await api.db.query(`SELECT error_message FROM ai_jobs WHERE id = $1`, [
        body.id,
      ])) as Array<{ error_message: string }>;
      expect(job?.error_message).toBe('Canceled: the account was banned');
    } finally {
      await worker.close();
    }
    await expectLedgerClean(api);
  });

  it('has the ledger verifier check jobs against their holds', async () => {
    const user = await newUser(api);
    await fund(api, user, 1);
    const { body } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'audited' },
    });
    const runner = api.db.createQueryRunner();
    await runner.startTransaction();
    try {
      // A job marked succeeded whose hold was never charged: exactly what must never happen.
      await runner.query(
        `UPDATE ai_jobs SET status = 'succeeded', finished_at = now() WHERE id = $1`,
        [body.id],
      );
      const report = await api.app.get(LedgerVerifier).verifyWithin(runner.manager);
      expect(report.violations).toEqual([
        expect.objectContaining({
          check: 'every succeeded job has a posted hold',
          subject: body.id,
        }),
      ]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
