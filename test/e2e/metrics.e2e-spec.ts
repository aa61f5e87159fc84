import { request as httpRequest } from 'node:http';
import type { Redis } from 'ioredis';
import { Client } from 'pg';
import {
  HealthService,
  recordBackupOutcome,
  recordBackupScheduled,
  REDIS,
} from '@jewelshot/platform';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { expectLedgerClean, fund, jobRows, submit, waitTerminal } from '../support/ai';
import { bearer, newUser, type TestUser } from '../support/factories';
import { freePort } from '../support/free-port';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { baseTestEnv, suitePrefix } from '../support/test-env';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus' text format (the lines we write: no escaped quotes in label values). */
function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g))
        labels[pair[1]] = pair[2];
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The samples of one family (a histogram's _bucket/_sum/_count, a counter's own name). */
function family(all: Sample[], name: string): Sample[] {
  return all.filter(
    (s) =>
      s.name === name ||
      s.name === `${name}_bucket` ||
      s.name === `${name}_sum` ||
      s.name === `${name}_count`,
  );
}

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

// Every family docs/observability.md lists, each with at least one sample after one job.
const FAMILIES = [
  'jewelshot_http_request_duration_seconds',
  'jewelshot_queue_waiting_jobs',
  'jewelshot_queue_oldest_waiting_age_seconds',
  'jewelshot_queue_active_jobs',
  'jewelshot_queue_jobs',
  'jewelshot_ai_job_duration_seconds',
  'jewelshot_ai_job_attempt_duration_seconds',
  'jewelshot_ai_job_attempts_total',
  'jewelshot_provider_request_duration_seconds',
  'jewelshot_provider_errors_total',
  'jewelshot_ledger_operation_duration_seconds',
  'jewelshot_ledger_holds_pending',
  'jewelshot_ledger_oldest_pending_hold_age_seconds',
  'jewelshot_ledger_verifier_runs_total',
  'jewelshot_ledger_verifier_violations',
  'jewelshot_ledger_verifier_last_run_timestamp_seconds',
  'jewelshot_emails_total',
  'jewelshot_events_outbox_pending',
  'jewelshot_events_outbox_lag_seconds',
  'jewelshot_rate_limit_rejections_total',
  'jewelshot_webhook_deliveries_total',
  'jewelshot_webhook_delivery_duration_seconds',
  'jewelshot_backup_last_success_timestamp_seconds',
  'jewelshot_backup_failures_since_success',
  'jewelshot_backup_scheduled_since_timestamp_seconds',
  // Node runtime (prom-client's default metrics).
  'process_cpu_user_seconds_total',
  'nodejs_eventloop_lag_seconds',
  'nodejs_heap_size_used_bytes',
];

describe('metrics', () => {
  let api: TestApi;
  let env: NodeJS.ProcessEnv;
  let worker: WorkerApp | undefined;
  let workerPort: number;

  const startWorker = async (overrides: NodeJS.ProcessEnv = {}) => {
    workerPort = await freePort();
    worker = await createWorker(
      loadConfig({
        ...baseTestEnv(),
        ...env,
        WORKER_HEALTH_PORT: String(workerPort),
        HOST: '127.0.0.1',
        ...overrides,
      }),
    );
  };

  beforeAll(async () => {
    env = {
      REDIS_KEY_PREFIX: suitePrefix('metrics'),
      SIGNUP_CREDITS: '10',
      METRICS_TOKEN: 'metrics-token-0123456789',
      AUTH_RATE_LIMIT_MAX: '4',
      JOB_ATTEMPTS: '1',
      // The limiter fails open when Redis is slow; a loaded test machine must not make it so.
      REDIS_COMMAND_TIMEOUT_MS: '5000',
    };
    api = await startApi(env);
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  afterAll(async () => {
    await api.close();
  });

  const scrape = () =>
    api.http().get('/metrics').set('Authorization', 'Bearer metrics-token-0123456789');

  it('asks for the token: 401 without it or with a wrong one, on the API and the worker', async () => {
    const none = await api.http().get('/metrics');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await api
      .http()
      .get('/metrics')
      .set(...bearer('metrics-token-0123456780'));
    expect(wrong.status).toBe(401);
    const right = await scrape();
    expect(right.status).toBe(200);
    expect(right.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);

    await startWorker();
    expect((await get(workerPort, '/metrics')).status).toBe(401);
    expect(
      (await get(workerPort, '/metrics', { authorization: 'Bearer metrics-token-01234567' }))
        .status,
    ).toBe(401);
    const ok = await get(workerPort, '/metrics', {
      authorization: 'Bearer metrics-token-0123456789',
    });
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain/);
    expect(ok.body).toContain('# TYPE jewelshot_queue_waiting_jobs gauge');
    // The path alone counts, as on the API: a scrape's `params`, a probe's cache-buster.
    const withParams = await get(workerPort, '/metrics?module=worker', {
      authorization: 'Bearer metrics-token-0123456789',
    });
    expect(withParams.status).toBe(200);
    expect((await get(workerPort, '/health?nocache=1')).status).not.toBe(404);
    expect((await get(workerPort, '/healthz')).status).toBe(404);
  });

  it('exposes every family after one job, with no user id, job id or raw path in any label', async () => {
    const user: TestUser = await newUser(api);
    await fund(api, user, 10);

    // One job that succeeds, one whose provider call fails (its only attempt): both settled.
    await startWorker();
    const ok = await submit(api, user, { operation: 'generate', params: { prompt: 'a ring' } });
    expect(ok.status).toBe(202);
    await waitTerminal(api, [ok.body.id]);
    const read = await api
      .http()
      .get(`/v1/ai/jobs/${ok.body.id}`)
      .set(...bearer(user.accessToken));
    expect(read.status).toBe(200);
    await worker?.close();
    await startWorker({ LOCAL_PROVIDER_FAILURE_RATE: '1' });
    const failing = await submit(api, user, {
      operation: 'generate',
      params: { prompt: 'a ring' },
    });
    expect(failing.status).toBe(202);
    const [ended] = await waitTerminal(api, [failing.body.id]);
    expect(ended.status).toBe('failed');
    // And one canceled while its provider worked: stopped by us, not the provider's error.
    await worker?.close();
    await startWorker({ LOCAL_PROVIDER_LATENCY_MS: '20000', JOB_CANCEL_POLL_MS: '100' });
    const slow = await submit(api, user, { operation: 'generate', params: { prompt: 'a ring' } });
    expect(slow.status).toBe(202);
    for (let i = 0; i < 200; i++) {
      const [row] = await jobRows(api, [slow.body.id]);
      if (row?.status === 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const cancel = await api
      .http()
      .post(`/v1/ai/jobs/${slow.body.id}/cancel`)
      .set(...bearer(user.accessToken));
    expect(cancel.status).toBe(200);
    // The provider call ends (aborted) once the worker sees the cancel on the row.
    let stopped = false;
    for (let i = 0; i < 100 && !stopped; i++) {
      stopped = family(
        samples((await scrape()).text),
        'jewelshot_provider_request_duration_seconds',
      ).some((s) => s.name.endsWith('_count') && s.labels.outcome === 'canceled' && s.value > 0);
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stopped).toBe(true);
    await expectLedgerClean(api);

    // Credential guessing until the `auth` policy refuses (AUTH_RATE_LIMIT_MAX is 4).
    let refused = false;
    for (let i = 0; i < 6 && !refused; i++) {
      const res = await api
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: 'not the password at all' });
      refused = res.status === 429;
    }
    expect(refused).toBe(true);

    // In this test the API and the worker share one process and so one registry: the API's
    // scrape and the worker's show the same families; each app's own sources run on its scrape.
    const fromApi = await scrape();
    expect(fromApi.status).toBe(200);
    const fromWorker = await get(workerPort, '/metrics', {
      authorization: 'Bearer metrics-token-0123456789',
    });
    expect(fromWorker.status).toBe(200);
    const all = [...samples(fromApi.text), ...samples(fromWorker.body)];

    const missing = FAMILIES.filter((name) => family(all, name).length === 0);
    expect(missing).toEqual([]);

    // The route is the template, whatever id the URL carried.
    const routes = new Set(
      family(all, 'jewelshot_http_request_duration_seconds').map((s) => s.labels.route),
    );
    expect(routes).toContain('/v1/ai/jobs/:id');
    expect(routes).toContain('/v1/ai/jobs');

    // Outcomes as they happened: one succeeded and one failed job, one provider error.
    const jobs = family(all, 'jewelshot_ai_job_duration_seconds').filter((s) =>
      s.name.endsWith('_count'),
    );
    expect(jobs.find((s) => s.labels.outcome === 'succeeded')?.value).toBeGreaterThanOrEqual(1);
    expect(jobs.find((s) => s.labels.outcome === 'failed')?.value).toBeGreaterThanOrEqual(1);
    const errors = family(all, 'jewelshot_provider_errors_total');
    expect(errors).toContainEqual({
      name: 'jewelshot_provider_errors_total',
      labels: { provider: 'local', code: 'PROVIDER_ERROR' },
      value: 1,
    });
    expect(errors.filter((s) => s.labels.code === 'CANCELED')).toEqual([]);
    const ledger = family(all, 'jewelshot_ledger_operation_duration_seconds').filter((s) =>
      s.name.endsWith('_count'),
    );
    for (const operation of ['reserve', 'confirm', 'refund', 'grant'])
      expect(ledger.some((s) => s.labels.operation === operation && s.value > 0)).toBe(true);
    expect(family(all, 'jewelshot_rate_limit_rejections_total')).toContainEqual(
      expect.objectContaining({ labels: { policy: 'auth' } }),
    );
    // Per priority (other suites' jobs share the database: the values are theirs too).
    for (const priority of ['high', 'normal', 'low'])
      expect(family(all, 'jewelshot_queue_waiting_jobs')).toContainEqual(
        expect.objectContaining({ labels: { queue: 'ai-jobs', priority } }),
      );

    // Bounded cardinality: no label value is an id, an address or a raw path.
    const ids = [user.id, ok.body.id, failing.body.id];
    for (const sample of all) {
      for (const [label, value] of Object.entries(sample.labels)) {
        const where = `${sample.name}{${label}="${value}"}`;
        expect({ where, uuid: UUID.test(value) }).toEqual({ where, uuid: false });
        expect(ids.some((id) => value.includes(id))).toBe(false);
        expect(value).not.toContain('@');
        if (value.startsWith('/')) {
          // A path may only be a route template (`:param` segments, no digits runs of ids).
          expect({ where, template: /\d{4,}/.test(value) }).toEqual({ where, template: false });
        }
      }
    }
  });
});

/**
 * The gauges read on scrape say what is there, not a default: on a database and Redis prefix
 * of its own, so the values are exactly this test's.
 */
describe('metrics: the gauges read on scrape', () => {
  let own: SuiteDatabase;
  let api: TestApi;
  let worker: WorkerApp | undefined;
  const TOKEN = 'metrics-token-0123456789';

  beforeAll(async () => {
    own = await suiteDatabase('metrics_gauges');
    api = await startApi({
      DATABASE_URL: own.url,
      REDIS_KEY_PREFIX: suitePrefix('metrics-gauges'),
      METRICS_TOKEN: TOKEN,
      SIGNUP_CREDITS: '0',
    });
    // One job and no worker: its hold stays pending and its event undispatched, for a second.
    const user = await newUser(api);
    await fund(api, user, 1);
    const job = await submit(api, user, { operation: 'generate', params: { prompt: 'r' } });
    if (job.status !== 202) throw new Error(`submit: ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 1100));
  });

  afterAll(async () => {
    await worker?.close();
    await api.close();
    await own.drop();
  });

  const value = (all: Sample[], name: string) => all.find((s) => s.name === name)?.value;
  const fromApi = async () =>
    samples((await api.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).text);

  it('counts the pending holds and their age, and the backups as the schedule recorded them', async () => {
    let all = await fromApi();
    expect(value(all, 'jewelshot_ledger_holds_pending')).toBe(1);
    expect(value(all, 'jewelshot_ledger_oldest_pending_hold_age_seconds')).toBeGreaterThanOrEqual(
      1,
    );
    expect(value(all, 'jewelshot_backup_last_success_timestamp_seconds')).toBe(0);
    expect(value(all, 'jewelshot_backup_scheduled_since_timestamp_seconds')).toBe(0);

    const redis = api.app.get<Redis>(REDIS);
    // A worker registers the schedule (its first time is kept), then one with BACKUP_CRON=off.
    const registered = Math.floor(Date.now() / 1000);
    await recordBackupScheduled(redis, true);
    const first = value(await fromApi(), 'jewelshot_backup_scheduled_since_timestamp_seconds');
    expect(first).toBeGreaterThanOrEqual(registered);
    expect((await api.app.get(HealthService).backup()).detail).toMatch(
      /^No backup yet: scheduled since \d{4}-/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await recordBackupScheduled(redis, true);
    expect(value(await fromApi(), 'jewelshot_backup_scheduled_since_timestamp_seconds')).toBe(
      first,
    );
    await recordBackupScheduled(redis, false);
    expect(value(await fromApi(), 'jewelshot_backup_scheduled_since_timestamp_seconds')).toBe(0);

    await recordBackupOutcome(redis, { ok: false, error: 'disk full' });
    await recordBackupOutcome(redis, { ok: false, error: 'disk full' });
    all = await fromApi();
    expect(value(all, 'jewelshot_backup_failures_since_success')).toBe(2);
    const before = Date.now() / 1000;
    await recordBackupOutcome(redis, { ok: true, folder: 'b1' });
    all = await fromApi();
    expect(value(all, 'jewelshot_backup_failures_since_success')).toBe(0);
    expect(value(all, 'jewelshot_backup_last_success_timestamp_seconds')).toBeGreaterThanOrEqual(
      Math.floor(before),
    );
  });

  it("reads the outbox's lag in the worker: events it cannot take yet wait, and are counted", async () => {
    // The events are locked by another session: the dispatcher (SKIP LOCKED) passes them by.
    const holder = new Client({ connectionString: own.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      const { rows } = await holder.query(
        'SELECT id FROM domain_events WHERE dispatched_at IS NULL FOR UPDATE',
      );
      expect(rows.length).toBeGreaterThanOrEqual(1);
      const port = await freePort();
      worker = await createWorker(
        loadConfig({
          ...baseTestEnv(),
          DATABASE_URL: own.url,
          REDIS_KEY_PREFIX: suitePrefix('metrics-gauges'),
          METRICS_TOKEN: TOKEN,
          WORKER_HEALTH_PORT: String(port),
          HOST: '127.0.0.1',
        }),
      );
      const scraped = await get(port, '/metrics', { authorization: `Bearer ${TOKEN}` });
      const all = samples(scraped.body);
      expect(value(all, 'jewelshot_events_outbox_pending')).toBe(rows.length);
      expect(value(all, 'jewelshot_events_outbox_lag_seconds')).toBeGreaterThanOrEqual(1);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });
});
