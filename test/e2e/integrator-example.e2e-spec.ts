import sharp from 'sharp';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { fund, jobRows } from '../support/ai';
import { newUser } from '../support/factories';
import { freePort } from '../support/free-port';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { runIntegration } from '../../examples/integrator';

/** examples/integrator.ts, run as an integrator would, against the real API and worker. */
describe('the integrator example', () => {
  let api: TestApi;
  let worker: WorkerApp;
  let baseUrl: string;
  let db: SuiteDatabase;

  beforeAll(async () => {
    // A database of its own: the example learns of the job's end from a webhook, which on the
    // run's shared database another suite's worker could take and never send (suite-database.ts).
    db = await suiteDatabase('integrator');
    // Signed output URLs are absolute (PUBLIC_BASE_URL): the API listens where they point.
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: suitePrefix('integrator'),
      SIGNUP_CREDITS: '0',
      PUBLIC_BASE_URL: baseUrl,
    };
    api = await startApi(env);
    await api.app.listen({ port, host: '127.0.0.1' });
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await db?.drop();
  });

  it('creates a key, runs a paid job with it alone and downloads a real image', async () => {
    const user = await newUser(api, 'integrator');
    await fund(api, user, 3);
    const lines: string[] = [];
    const result = await runIntegration({
      baseUrl,
      email: user.email,
      password: user.password,
      webhookWaitMs: 30_000,
      log: (line) => lines.push(line),
    });
    expect(result.apiKey).toMatch(/^js_live_[0-9a-f]{24}_[0-9a-f]{64}$/);
    expect(result.job.status).toBe('succeeded');
    const metadata = await sharp(result.image).metadata();
    expect(metadata.width).toBe(result.job.outputs[0]?.width);
    const [row] = await jobRows(api, [result.job.id]);
    expect(row).toMatchObject({ status: 'succeeded', hold_status: 'posted', cost: 1 });
    const keys = await api.db.query(
      'SELECT scopes, last_used_at FROM api_keys WHERE user_id = $1',
      [user.id],
    );
    expect(keys).toEqual([
      {
        scopes: ['files:write', 'jobs:read', 'jobs:write', 'webhooks:manage'],
        last_used_at: expect.any(Date),
      },
    ]);
    // The end of the job was learnt from a webhook whose signature the example verified.
    expect(result.via).toBe('webhook');
    expect(
      lines.some((line) => line.includes('job.succeeded') && line.includes('signature verified')),
    ).toBe(true);
  }, 120_000);
});
