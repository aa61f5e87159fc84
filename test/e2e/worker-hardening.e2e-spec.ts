import { readdirSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { JobSignals, Reconciler } from '@jewelshot/ai-jobs';
import { loadConfig } from '../support/config';
import {
  createWorker,
  HEALTH_PORT_IDLE_MS,
  HEALTH_PORT_MAX_CONNECTIONS,
  type WorkerApp,
} from '../../apps/worker/src/bootstrap';
import { freePort } from '../support/free-port';
import { startApi, type TestApi } from '../support/app';
import { expectLedgerClean, fund, submit, waitTerminal } from '../support/ai';
import { newUser } from '../support/factories';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

describe('worker hardening', () => {
  let api: TestApi;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    env = { REDIS_KEY_PREFIX: suitePrefix('worker-hardening'), SIGNUP_CREDITS: '0' };
    api = await startApi(env);
  });

  afterAll(async () => {
    await api.close();
  });

  it('deletes the output bytes of a settle that fails', async () => {
    const user = await newUser(api);
    await fund(api, user, 1);
    const { body: job } = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'never settled' },
    });
    const dataSource = api.db;
    const name = `test_refuse_files_${randomBytes(4).toString('hex')}`;
    // The settle transaction throws for this job's output rows (and only this job's).
    await dataSource.query(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.job_id = '${job.id}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`,
    );
    await dataSource.query(
      `CREATE TRIGGER ${name} BEFORE INSERT ON files FOR EACH ROW EXECUTE FUNCTION ${name}()`,
    );
    let worker: WorkerApp | undefined;
    try {
      worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
      const [row] = await waitTerminal(api, [job.id], 30_000);
      expect(row).toMatchObject({ status: 'failed', hold_status: 'voided', attempts: 3 });
    } finally {
      await worker?.close();
      await dataSource.query(`DROP TRIGGER IF EXISTS ${name} ON files`);
      await dataSource.query(`DROP FUNCTION IF EXISTS ${name}()`);
    }
    // Three attempts each stored an output; none of the bytes are left behind.
    expect(filesUnder(join(api.config.STORAGE_DIR, user.id))).toEqual([]);
    await expectLedgerClean(api);
  });

  it('counts the expired idempotency keys it deletes', async () => {
    const user = await newUser(api);
    const dataSource = api.db;
    await dataSource.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, created_at)
       SELECT $1, 'old-' || i, repeat('0', 64), now() - interval '25 hours' FROM generate_series(1, 5) AS i`,
      [user.id],
    );
    await dataSource.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, 'fresh', repeat('0', 64))`,
      [user.id],
    );
    const worker = await createWorker(
      loadConfig({ ...baseTestEnv(), ...env, RECONCILE_INTERVAL_MS: '600000' }),
    );
    try {
      // The worker's own first run may have got there already; then this one finds none.
      const report = await worker.context.get(Reconciler).reconcile();
      const left = await dataSource.query(`SELECT key FROM idempotency_keys WHERE user_id = $1`, [
        user.id,
      ]);
      expect(left).toEqual([{ key: 'fresh' }]);
      expect([0, 5]).toContain(report.idempotencyKeysDeleted);
      // And a run that finds them counts them exactly.
      await dataSource.query(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, created_at)
         SELECT $1, 'older-' || i, repeat('0', 64), now() - interval '25 hours' FROM generate_series(1, 3) AS i`,
        [user.id],
      );
      const again = await worker.context.get(Reconciler).reconcile();
      expect(again.idempotencyKeysDeleted).toBe(3);
      expect(
        await dataSource.query(`SELECT key FROM idempotency_keys WHERE user_id = $1`, [user.id]),
      ).toEqual([{ key: 'fresh' }]);
    } finally {
      await worker.close();
    }
  });

  it('holds at most a few connections on its health port, and none idle for long', async () => {
    const port = await freePort();
    const worker = await createWorker(
      loadConfig({ ...baseTestEnv(), ...env, HOST: '127.0.0.1', WORKER_HEALTH_PORT: String(port) }),
    );
    const sockets: Socket[] = [];
    try {
      const closedAt: number[] = [];
      const opened = Date.now();
      for (let i = 0; i < HEALTH_PORT_MAX_CONNECTIONS + 8; i += 1) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.on('close', () => closedAt.push(Date.now() - opened));
        sockets.push(socket);
      }
      // Silent connections: the ones past the cap are closed at once, the rest once idle.
      await sleep(HEALTH_PORT_IDLE_MS / 2);
      expect(closedAt.length).toBe(8);
      for (let i = 0; i < 100 && closedAt.length < sockets.length; i += 1) await sleep(50);
      expect(closedAt.length).toBe(sockets.length);
      // And the port still answers a probe.
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      for (const socket of sockets) socket.destroy();
      await worker.close();
    }
  });

  it('runs a second worker whose WORKER_HEALTH_PORT is taken, without that port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    let worker: WorkerProcess | undefined;
    try {
      worker = await startWorkerProcess({
        ...env,
        HOST: '127.0.0.1',
        WORKER_HEALTH_PORT: String(port),
      });
      for (let i = 0; i < 100 && !/health port .* unavailable/.test(worker.output()); i += 1)
        await sleep(50);
      expect(worker.output()).toMatch(
        /worker health port 127\.0\.0\.1:\d+ unavailable \(EADDRINUSE\); carrying on without it/,
      );
      // Still alive, and still working.
      const user = await newUser(api);
      await fund(api, user, 1);
      const { body: job } = await submit(api, user, {
        operation: 'generate',
        params: { prompt: 'no health port' },
      });
      const [row] = await waitTerminal(api, [job.id], 30_000);
      expect(row?.status).toBe('succeeded');
      expect(worker.child.exitCode).toBeNull();
    } finally {
      await worker?.stop();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("keeps pub/sub channels apart by REDIS_KEY_PREFIX: an app does not hear another deployment's cancel", async () => {
    const other = await startApi({ REDIS_KEY_PREFIX: suitePrefix('worker-hardening-other') });
    try {
      const heardHere: string[] = [];
      const heardThere: string[] = [];
      api.app.get(JobSignals).onCancel((jobId) => heardHere.push(jobId));
      other.app.get(JobSignals).onCancel((jobId) => heardThere.push(jobId));
      // Published until this app hears its own (its subscription is then surely live).
      const jobId = `00000000-0000-4000-8000-${randomBytes(6).toString('hex')}`;
      for (let i = 0; i < 100 && !heardHere.includes(jobId); i += 1) {
        await api.app.get(JobSignals).requestCancel(jobId);
        await sleep(50);
      }
      expect(heardHere).toContain(jobId);
      const otherId = `00000000-0000-4000-8000-${randomBytes(6).toString('hex')}`;
      for (let i = 0; i < 100 && !heardThere.includes(otherId); i += 1) {
        await other.app.get(JobSignals).requestCancel(otherId);
        await sleep(50);
      }
      expect(heardThere).toContain(otherId);
      await sleep(200);
      expect(heardThere).not.toContain(jobId);
      expect(heardHere).not.toContain(otherId);
    } finally {
      await other.close();
    }
  });
});
