import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '@jewelshot/platform';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { fund, jobRows } from '../support/ai';
import { newApiKey, newUser, type TestUser } from '../support/factories';
import { smallPng } from '../support/images';
import { freePort } from '../support/free-port';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { runIntegration } from '../../examples/integrator';
import { createApi, unwrap, type Job } from '@jewelshot/api-client';

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

  /** What a run left of the user's keys and webhook endpoints: a run cleans up after itself. */
  async function leftBehind(user: TestUser) {
    const [row] = await api.db.query<Array<{ live_keys: number; endpoints: number }>>(
      `SELECT (SELECT count(*)::int FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL) AS live_keys,
              (SELECT count(*)::int FROM webhook_endpoints WHERE user_id = $1) AS endpoints`,
      [user.id],
    );
    return row;
  }

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
      'SELECT scopes, last_used_at, revoked_at FROM api_keys WHERE user_id = $1',
      [user.id],
    );
    expect(keys).toEqual([
      {
        scopes: ['files:write', 'jobs:read', 'jobs:write', 'webhooks:manage'],
        last_used_at: expect.any(Date),
        // Revoked again, and the webhook endpoint deleted: nothing piles up run after run.
        revoked_at: expect.any(Date),
      },
    ]);
    expect(await leftBehind(user)).toEqual({ live_keys: 0, endpoints: 0 });
    expect(lines).toEqual(
      expect.arrayContaining([
        'deleted the webhook endpoint',
        expect.stringMatching(/^revoked API key js_live_/),
        'signed out',
      ]),
    );
    // The end of the job was learnt from a webhook whose signature the example verified.
    expect(result.via).toBe('webhook');
    expect(
      lines.some((line) => line.includes('job.succeeded') && line.includes('signature verified')),
    ).toBe(true);
  }, 120_000);

  it('cleans up when the run fails half way (no credits for the job)', async () => {
    const user = await newUser(api, 'integrator-broke');
    const lines: string[] = [];
    await expect(
      runIntegration({
        baseUrl,
        email: user.email,
        password: user.password,
        webhookWaitMs: 1_000,
        log: (line) => lines.push(line),
      }),
    ).rejects.toMatchObject({ status: 402, code: 'INSUFFICIENT_CREDITS' });
    expect(await leftBehind(user)).toEqual({ live_keys: 0, endpoints: 0 });
    expect(lines).toContain('deleted the webhook endpoint');
  }, 60_000);

  it('runs with the command its header gives (node -r ./test/support/register.js)', async () => {
    const user = await newUser(api, 'integrator-cli');
    await fund(api, user, 1);
    const dir = await mkdtemp(join(tmpdir(), 'integrator-'));
    try {
      const out = join(dir, 'result.png');
      const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
        execFile(
          process.execPath,
          ['-r', './test/support/register.js', 'examples/integrator.ts'],
          {
            cwd: repoRoot(),
            timeout: 100_000,
            env: {
              ...process.env,
              JEWELSHOT_URL: baseUrl,
              JEWELSHOT_EMAIL: user.email,
              JEWELSHOT_PASSWORD: user.password,
              OUT: out,
            },
          },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve({ stdout }),
        );
      });
      expect(stdout).toContain(`wrote ${out} (learnt of the end by webhook)`);
      expect((await sharp(await readFile(out)).metadata()).format).toBe('png');
      expect(await leftBehind(user)).toEqual({ live_keys: 0, endpoints: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('the client in Node, with a key: uploads with fetch and FormData, follows the job by its event stream', async () => {
    const user = await newUser(api, 'integrator-client');
    await fund(api, user, 5);
    const key = await newApiKey(api, user, ['jobs:read', 'jobs:write', 'files:write']);
    const client = createApi({ baseUrl, apiKey: key });
    const photo = new Blob([new Uint8Array(await smallPng(80, 60))], { type: 'image/png' });

    const file = await client.upload(photo, undefined, undefined, 'photo-1');
    expect(file).toMatchObject({ contentType: 'image/png', width: 80, height: 60 });
    // The same Idempotency-Key and bytes: the first file again.
    expect((await client.upload(photo, undefined, undefined, 'photo-1')).id).toBe(file.id);

    const job = await unwrap(
      client.client.POST('/v1/ai/jobs', {
        body: { operation: 'remove-background', params: { inputImageId: file.id } },
      }),
    );
    const seen: Job['status'][] = [];
    const end = await new Promise<{ reason: string; error?: unknown }>((resolve) => {
      client.streamJob(job.id, {
        onJob: (next) => seen.push(next.status),
        onEnd: (reason, error) => resolve({ reason, error }),
      });
    });
    expect(end).toEqual({ reason: 'terminal', error: undefined });
    expect(seen.at(-1)).toBe('succeeded');
  }, 60_000);
});
