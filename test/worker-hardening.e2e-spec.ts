import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { JobSignals } from '@jewelshot/ai-jobs';
import { loadConfig } from '@jewelshot/platform';
import { createWorker, type WorkerApp } from '../apps/worker/src/bootstrap';
import { startApi, type TestApi } from './support/app';
import { expectLedgerClean, fund, submit, waitTerminal } from './support/ai';
import { newUser } from './support/factories';
import { baseTestEnv, suitePrefix } from './support/test-env';

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
    const { body: job } = await submit(api, user, { operation: 'generate', params: { prompt: 'never settled' } });
    const dataSource = api.app.get(DataSource);
    const name = `test_refuse_files_${randomBytes(4).toString('hex')}`;
    // The settle transaction throws for this job's output rows (and only this job's).
    await dataSource.query(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.job_id = '${job.id}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`,
    );
    await dataSource.query(`CREATE TRIGGER ${name} BEFORE INSERT ON files FOR EACH ROW EXECUTE FUNCTION ${name}()`);
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

  it('keeps pub/sub channels apart by REDIS_KEY_PREFIX: an app does not hear another deployment\'s cancel', async () => {
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
