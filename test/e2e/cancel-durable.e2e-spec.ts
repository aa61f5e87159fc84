import { startApi, type TestApi } from '../support/app';
import { expectLedgerClean, fund, jobRows, submit } from '../support/ai';
import { bearer, newUser } from '../support/factories';
import { suitePrefix } from '../support/test-env';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/throwaway-redis';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitRunning(api: TestApi, jobId: string, worker: WorkerProcess): Promise<void> {
  let status: string | undefined;
  for (let i = 0; i < 600; i += 1) {
    status = (await jobRows(api, [jobId]))[0]?.status;
    if (status === 'running') return;
    await sleep(50);
  }
  throw new Error(
    `the job never started (status ${status}); the worker said:\n${worker.output().slice(-4000)}`,
  );
}

describe('cancel is a database fact', () => {
  // A database of its own: its reconciler runs with a short grace, and would take the jobs
  // of the suites on the shared database as lost (test/support/test-env.ts).
  let db: SuiteDatabase;

  beforeAll(async () => {
    db = await suiteDatabase('cancel_durable');
  });

  afterAll(async () => {
    await db?.drop();
  });

  let redis: ThrowawayRedis;
  let api: TestApi | undefined;
  let worker: WorkerProcess | undefined;

  beforeEach(async () => {
    // A Redis of this test's own: it is stopped mid-test.
    redis = await startThrowawayRedis();
  });

  afterEach(async () => {
    await worker?.kill();
    worker = undefined;
    // Back up (empty) so the API's queue connections can close.
    await redis.start().catch(() => undefined);
    await api?.close();
    api = undefined;
    await redis.stop();
  });

  it('with Redis stopped, a cancel of a running job answers 200 canceled and the job is never charged', async () => {
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: suitePrefix('cancel-durable'),
      DATABASE_URL: db.url,
      SIGNUP_CREDITS: '0',
    };
    api = await startApi(env);
    const user = await newUser(api);
    await fund(api, user, 1);
    // Slow enough that the provider is still working well after the cancel. On a busy machine
    // the API's enqueue can miss its deadline; the reconciler then adds the job within a second
    // or two, as it would in production a minute later (this test is about the cancel).
    worker = await startWorkerProcess({
      ...env,
      WORKER_CONCURRENCY: '1',
      LOCAL_PROVIDER_LATENCY_MS: '8000',
      JOB_CANCEL_POLL_MS: '200',
      RECONCILE_INTERVAL_MS: '1000',
      RECONCILE_GRACE_MS: '2000',
    });
    const { body: job } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'canceled in an outage' },
    });
    await waitRunning(api, job.id, worker);

    await redis.stop();
    const res = await api
      .http()
      .post(`/v1/ai/jobs/${job.id}/cancel`)
      .set(...bearer(user.accessToken));
    // The cancel won: it is settled in the answer, not merely requested.
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'canceled',
      cancelRequested: true,
      error: { code: 'CANCELED' },
    });

    // With no pub/sub, the worker still stops the provider call: it read the row.
    for (
      let i = 0;
      i < 100 && !/provider call stopped: the job was canceled/.test(worker.output());
      i += 1
    )
      await sleep(50);
    expect(worker.output()).toMatch(/provider call stopped: the job was canceled/);

    // Past the moment the provider would have finished: still canceled, refunded, uncharged.
    await sleep(9000);
    const [row] = await jobRows(api, [job.id]);
    expect(row).toMatchObject({ status: 'canceled', hold_status: 'voided' });
    const dataSource = api.db;
    const charges = await dataSource.query(
      `SELECT COUNT(*)::int AS n FROM credit_entries WHERE user_id = $1 AND kind = 'charge'`,
      [user.id],
    );
    expect(charges[0].n).toBe(0);
    const outputs = await dataSource.query(
      `SELECT COUNT(*)::int AS n FROM files WHERE job_id = $1`,
      [job.id],
    );
    expect(outputs[0].n).toBe(0);
    const balance = await api
      .http()
      .get('/v1/credits/balance')
      .set(...bearer(user.accessToken));
    expect(balance.body).toEqual({ balance: 1, reserved: 0, available: 1 });
    await expectLedgerClean(api);
  });

  it('answers 409 CONFLICT when the job had already settled', async () => {
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: suitePrefix('cancel-durable'),
      DATABASE_URL: db.url,
      SIGNUP_CREDITS: '0',
    };
    api = await startApi(env);
    const user = await newUser(api);
    await fund(api, user, 1);
    worker = await startWorkerProcess({ ...env, LOCAL_PROVIDER_LATENCY_MS: '10' });
    const { body: job } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'done already' },
    });
    for (let i = 0; i < 400 && (await jobRows(api, [job.id]))[0]?.status !== 'succeeded'; i += 1)
      await sleep(50);
    await redis.stop();
    const res = await api
      .http()
      .post(`/v1/ai/jobs/${job.id}/cancel`)
      .set(...bearer(user.accessToken));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CONFLICT', details: { status: 'succeeded' } });
    expect((await jobRows(api, [job.id]))[0]).toMatchObject({
      status: 'succeeded',
      hold_status: 'posted',
    });
    await expectLedgerClean(api);
  });
});
