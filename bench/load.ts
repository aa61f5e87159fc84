/**
 * npm run load [-- --duration 60 --sellers 20 --provider-ms 200] — a bounded mixed-traffic load
 * test against loopback only. It makes a throwaway database and Redis prefix, migrates, creates
 * an admin with the CLI, and starts two API processes and two workers (production mode, local
 * provider) that share them. Then, for `--duration` seconds, N virtual sellers each loop over a
 * weighted mix (sign in, balance, prices, history, job list, upload, submit then poll or follow
 * the SSE stream to the end, a small batch now and then) against the two APIs in turn, while one
 * admin reads queues, jobs, users and the ledger summary. No think time: a closed loop, so this
 * is the load the machine holds with N callers.
 *
 * It prints requests/s, p50/p95/p99 per route, the error rate, jobs/s and the queue's depth and
 * oldest waiting age (sampled every second from `ai_jobs`), waits until every job is terminal
 * with its hold settled, then runs `ledger:verify`. It exits non-zero on any 5xx or transport
 * error, a job not terminal or a hold left pending, or a verifier violation. The SLO (p99 < 200
 * ms for every non-streaming route, 0 errors) is reported, not enforced: on a shared 2-core
 * machine it is a figure to record (docs/performance.md).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import sharp from 'sharp';
import { repoRoot } from '@jewelshot/platform';
import {
  BENCH_SERVER,
  benchApiEnv,
  createBenchDatabase,
  dropBenchDatabase,
  waitFor,
} from './support';
import { freePort } from './free-port';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    sellers: { type: 'string', default: '20' },
    'provider-ms': { type: 'string', default: '200' },
    'drain-timeout': { type: 'string', default: '120' },
  },
});
const DURATION_S = Number(args.duration);
const SELLERS = Number(args.sellers);
const PROVIDER_MS = Number(args['provider-ms']);
const DRAIN_TIMEOUT_S = Number(args['drain-timeout']);
/** Two of each, on ports the kernel picks at start (a fixed port can be a client socket's). */
const API_PORTS: number[] = [];
const WORKER_PORTS: number[] = [];
const PASSWORD = 'load-password-123';
const ADMIN_EMAIL = 'load-admin@example.test';
const SLO_P99_MS = 200;
const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);

interface Sample {
  ms: number;
  status: number;
}

/** Every measured call by route template (ids never in the key). */
const samples = new Map<string, Sample[]>();
/** Routes whose time is a stream's, not a request's: outside the SLO. */
const STREAMING = new Set(['SSE GET /v1/ai/jobs/:id/events (to the end)']);
/**
 * Sign-in verifies an argon2id hash, slow on purpose (about 140 ms of one CPU here, one at a time
 * per process): its p99 is that cost plus its queue, whatever the rest does. The SLO is reported
 * with it and, apart, without it.
 */
const PASSWORD_HASHING = 'POST /v1/auth/login';
let measuring = false;
const jobIds = new Set<string>();
const failures: string[] = [];

function record(route: string, ms: number, status: number): void {
  if (!measuring) return;
  let list = samples.get(route);
  if (!list) samples.set(route, (list = []));
  list.push({ ms, status });
  if (status >= 500 || status === 0)
    if (failures.length < 20) failures.push(`${route} → ${status || 'transport error'}`);
}

let next = 0;
/** The two APIs in turn, as behind a load balancer. */
function base(): string {
  next += 1;
  return `http://127.0.0.1:${API_PORTS[next % API_PORTS.length]}`;
}

interface Call {
  token?: string;
  json?: unknown;
  form?: FormData;
  method?: string;
  /** The client's address, sent as X-Forwarded-For (the APIs trust the loopback proxy). */
  from?: string;
}

/** One measured request: the time is until the whole body has been read. */
async function call<T = unknown>(
  route: string,
  path: string,
  options: Call = {},
): Promise<{ status: number; body: T | null }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.from) headers['x-forwarded-for'] = options.from;
  const started = performance.now();
  try {
    const res = await fetch(`${base()}${path}`, {
      method: options.method ?? (options.json !== undefined || options.form ? 'POST' : 'GET'),
      headers,
      body: options.form ?? (options.json !== undefined ? JSON.stringify(options.json) : undefined),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    record(route, performance.now() - started, res.status);
    let body: T | null = null;
    try {
      body = text ? (JSON.parse(text) as T) : null;
    } catch {
      body = null;
    }
    return { status: res.status, body };
  } catch {
    record(route, performance.now() - started, 0);
    return { status: 0, body: null };
  }
}

/** Follows a job's event stream until it closes (after the terminal status). */
async function follow(token: string, jobId: string): Promise<void> {
  const started = performance.now();
  let first = true;
  try {
    const res = await fetch(`${base()}/v1/ai/jobs/${jobId}/events`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok || !res.body) {
      record(
        'SSE GET /v1/ai/jobs/:id/events (first event)',
        performance.now() - started,
        res.status,
      );
      await res.body?.cancel();
      return;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      if (first) {
        record('SSE GET /v1/ai/jobs/:id/events (first event)', performance.now() - started, 200);
        first = false;
      }
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      if ([...TERMINAL].some((status) => buffer.includes(`"status":"${status}"`))) break;
    }
    record('SSE GET /v1/ai/jobs/:id/events (to the end)', performance.now() - started, 200);
  } catch {
    record('SSE GET /v1/ai/jobs/:id/events (to the end)', performance.now() - started, 0);
  }
}

async function poll(token: string, jobId: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const { status, body } = await call<{ status: string }>(
      'GET /v1/ai/jobs/:id',
      `/v1/ai/jobs/${jobId}`,
      { token },
    );
    if (status !== 200 || (body && TERMINAL.has(body.status))) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Seller {
  email: string;
  /** Where the seller signs up and in from: a network of its own. */
  address: string;
  token: string;
  imageIds: string[];
}

let png: Buffer;

async function upload(seller: Seller): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'ring.png');
  const { status, body } = await call<{ id: string }>('POST /v1/uploads', '/v1/uploads', {
    token: seller.token,
    form,
  });
  if (status === 201 && body) seller.imageIds.push(body.id);
}

async function submit(seller: Seller, useStream: boolean): Promise<void> {
  const image = seller.imageIds[Math.floor(Math.random() * seller.imageIds.length)];
  const json =
    image && Math.random() < 0.5
      ? { operation: 'remove-background', params: { inputImageId: image } }
      : { operation: 'generate', params: { prompt: 'a gold ring on white marble' } };
  const { status, body } = await call<{ id: string }>('POST /v1/ai/jobs', '/v1/ai/jobs', {
    token: seller.token,
    json,
  });
  if (status !== 202 || !body) return;
  jobIds.add(body.id);
  if (useStream) await follow(seller.token, body.id);
  else await poll(seller.token, body.id);
}

async function batch(seller: Seller): Promise<void> {
  const ids = seller.imageIds.slice(-3);
  if (ids.length === 0) return;
  const { status, body } = await call<{ id: string }>('POST /v1/batches', '/v1/batches', {
    token: seller.token,
    json: { name: 'load', operation: 'remove-background', params: {}, inputImageIds: ids },
  });
  if (status !== 201 && status !== 202) return;
  if (body) await call('GET /v1/batches/:id', `/v1/batches/${body.id}`, { token: seller.token });
}

async function signIn(seller: Seller): Promise<void> {
  const { status, body } = await call<{ accessToken: string }>(
    'POST /v1/auth/login',
    '/v1/auth/login',
    { json: { email: seller.email, password: PASSWORD }, from: seller.address },
  );
  if (status === 200 && body) seller.token = body.accessToken;
}

/** The mix, by weight. */
const ACTIONS: Array<[number, (seller: Seller) => Promise<unknown>]> = [
  [3, signIn],
  [20, (s) => call('GET /v1/credits/balance', '/v1/credits/balance', { token: s.token })],
  [8, (s) => call('GET /v1/credits/prices', '/v1/credits/prices', { token: s.token })],
  [12, (s) => call('GET /v1/credits/history', '/v1/credits/history', { token: s.token })],
  [10, (s) => call('GET /v1/ai/jobs', '/v1/ai/jobs', { token: s.token })],
  [8, (s) => call('GET /v1/me', '/v1/me', { token: s.token })],
  [6, upload],
  [12, (s) => submit(s, false)],
  [12, (s) => submit(s, true)],
  [1, batch],
];
const TOTAL_WEIGHT = ACTIONS.reduce((sum, [weight]) => sum + weight, 0);

function pick(): (seller: Seller) => Promise<unknown> {
  let roll = Math.random() * TOTAL_WEIGHT;
  for (const [weight, action] of ACTIONS) {
    roll -= weight;
    if (roll < 0) return action;
  }
  return signIn;
}

async function adminLoop(token: string, until: number): Promise<void> {
  while (Date.now() < until && !interruptedBy) {
    await call('GET /v1/admin/queues', '/v1/admin/queues', { token });
    await call('GET /v1/admin/jobs', '/v1/admin/jobs', { token });
    await call('GET /v1/admin/users', '/v1/admin/users', { token });
    await call('GET /v1/admin/ledger/summary', '/v1/admin/ledger/summary', { token });
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function spawnLogged(
  children: ChildProcess[],
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
): { tail: () => string } {
  if (cleaning) throw new Error(`not starting ${name}: the run is stopping`);
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return { tail: () => `${name}:\n${lines.join('\n')}` };
}

/**
 * Waits until every URL answers 2xx. A process that exits first fails it at once; either way a
 * failure prints every process's last lines, which say why.
 */
async function waitHealthy(
  children: ChildProcess[],
  logs: Array<{ tail: () => string }>,
  urls: string[],
): Promise<void> {
  const cleanups: Array<() => void> = [];
  const exited = new Promise<never>((_, reject) => {
    for (const child of children) {
      const onExit = (code: number | null, signal: string | null) =>
        reject(new Error(`a process exited while starting (code ${code}, signal ${signal})`));
      child.once('exit', onExit);
      cleanups.push(() => child.off('exit', onExit));
    }
  });
  try {
    await Promise.race([Promise.all(urls.map((url) => waitFor(url, 60_000))), exited]);
  } catch (error) {
    for (const log of logs) console.log(log.tail());
    throw error;
  } finally {
    for (const cleanup of cleanups) cleanup();
    exited.catch(() => undefined);
  }
}

/**
 * What the run has made and must undo: its processes, its database (with its Redis keys) and its
 * temp dir. Filled in as each is made; cleanUp undoes whatever is there, once, whether the run
 * ends, fails, or is stopped with SIGINT or SIGTERM.
 */
const made: {
  children: ChildProcess[];
  db?: Client;
  database?: { name: string; admin: Client; env: { REDIS_URL: string; REDIS_KEY_PREFIX: string } };
  storage?: string;
} = { children: [] };
/** The setup step making something now: cleanUp waits for it, so what it makes is undone too. */
let making: Promise<unknown> = Promise.resolve();
let cleaning: Promise<void> | undefined;
let interruptedBy: 'SIGINT' | 'SIGTERM' | undefined;
/** How long a stopped API or worker may drain before it is killed. */
const STOP_GRACE_MS = 20_000;

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * One setup step that makes something: `keep` records it in `made` as soon as it exists (before
 * anyone awaiting the step resumes), so a clean-up that started meanwhile undoes it too.
 */
function step<T>(promise: Promise<T>, keep: (value: T) => void): Promise<T> {
  if (cleaning) throw new Error(`stopped by ${interruptedBy ?? 'the clean-up'}`);
  const kept = promise.then((value) => {
    keep(value);
    return value;
  });
  making = kept;
  return kept;
}

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (let seen: Promise<unknown> | undefined; seen !== making;) {
      seen = making;
      await seen.catch(() => undefined);
    }
    await Promise.all(made.children.map(stopChild));
    await made.db?.end().catch(() => undefined);
    if (made.database) {
      const { name, admin, env } = made.database;
      await dropBenchDatabase(admin, name, env).catch((error: unknown) =>
        console.error(`load: could not drop database ${name} or its Redis keys:`, error),
      );
    }
    if (made.storage) await rm(made.storage, { recursive: true, force: true });
  })();
  return cleaning;
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** Stopped by a signal: the same clean-up as the end of a run, then a non-zero exit. */
function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  if (interruptedBy) return;
  interruptedBy = signal;
  measuring = false;
  console.error(
    `\nload: ${signal}: stopping its API and worker processes, dropping its database, Redis keys and temp dir (${signal} again to leave them)`,
  );
  // A second signal gets the default action: the process ends at once.
  process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
  void cleanUp()
    .catch((error: unknown) => console.error('load: clean-up failed:', error))
    .finally(() => process.exit(SIGNAL_EXIT[signal]));
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const root = repoRoot();
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  const [api1, api2, worker1, worker2] = [...ports] as [number, number, number, number];
  API_PORTS.push(api1, api2);
  WORKER_PORTS.push(worker1, worker2);
  const storage = await step(mkdtemp(join(tmpdir(), 'jewelshot-load-')), (dir) => {
    made.storage = dir;
  });
  const { database } = await step(createBenchDatabase(), (created) => {
    const { REDIS_URL, REDIS_KEY_PREFIX } = benchApiEnv(created.database, 0, 'warn');
    made.database = {
      name: created.database,
      admin: created.admin,
      env: { REDIS_URL, REDIS_KEY_PREFIX },
    };
  });
  // Loopback only, this run's secrets, mail to the outbox in its temp dir (which holds its stored
  // files too), the local provider, no trace export, no backups: benchApiEnv.
  const env = {
    ...benchApiEnv(database, API_PORTS[0] ?? 0, 'warn', storage),
    LOCAL_PROVIDER_LATENCY_MS: String(PROVIDER_MS),
    // Sellers sign up and in from addresses of their own (X-Forwarded-For), as distinct sellers
    // do: from one address they would be one farm to the abuse scoring (flagged, demoted, the
    // whole group rescored on every sign-in), which is not the traffic this test stands for.
    TRUSTED_PROXIES: '127.0.0.1/32',
  };
  const children = made.children;
  const logs: Array<{ tail: () => string }> = [];
  const db = new Client({ connectionString: `${BENCH_SERVER}/${database}` });
  made.db = db;
  let exitCode = 0;
  try {
    if (interruptedBy) throw new Error(`stopped by ${interruptedBy}`);
    const cli = (script: string, extra: string[] = []) =>
      spawnSync(process.execPath, [join(root, 'dist', 'apps', 'cli', 'src', script), ...extra], {
        env,
        encoding: 'utf8',
      });
    const migrated = cli('migrate.js');
    if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    const created = cli('admin-create.js', ['--email', ADMIN_EMAIL, '--password', PASSWORD]);
    if (created.status !== 0) throw new Error(`admin:create failed: ${created.stderr}`);
    await db.connect();

    API_PORTS.forEach((port, i) =>
      logs.push(
        spawnLogged(children, `api ${i + 1}`, join(root, 'dist', 'apps', 'api', 'src', 'main.js'), {
          ...env,
          PORT: String(port),
        }),
      ),
    );
    WORKER_PORTS.forEach((port, i) =>
      logs.push(
        spawnLogged(
          children,
          `worker ${i + 1}`,
          join(root, 'dist', 'apps', 'worker', 'src', 'main.js'),
          { ...env, WORKER_HEALTH_PORT: String(port) },
        ),
      ),
    );
    await waitHealthy(children, logs, [
      ...API_PORTS.map((port) => `http://127.0.0.1:${port}/health/live`),
      ...WORKER_PORTS.map((port) => `http://127.0.0.1:${port}/health`),
    ]);

    png = await sharp({
      create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 180, b: 90 } },
    })
      .png()
      .toBuffer();

    // Setup (not measured): the admin signs in, sellers register, the admin grants credits.
    const adminLogin = await call<{ accessToken: string }>('setup', '/v1/auth/login', {
      json: { email: ADMIN_EMAIL, password: PASSWORD },
    });
    const adminToken = adminLogin.body?.accessToken;
    if (!adminToken) throw new Error(`admin sign-in failed: ${adminLogin.status}`);
    // One at a time: password hashing is admission-controlled (PASSWORD_HASH_CONCURRENCY).
    const sellers: Seller[] = [];
    for (let i = 0; i < SELLERS; i += 1) {
      sellers.push(
        await (async () => {
          const email = `load-seller-${i}@example.test`;
          // One /24 per seller.
          const address = `10.${Math.floor(i / 256) % 256}.${i % 256}.10`;
          const registered = await call<{ accessToken: string; user: { id: string } }>(
            'setup',
            '/v1/auth/register',
            { json: { email, password: PASSWORD }, from: address },
          );
          if (!registered.body?.user)
            throw new Error(
              `register failed: ${registered.status} ${JSON.stringify(registered.body)}`,
            );
          const granted = await call(
            'setup',
            `/v1/admin/users/${registered.body.user.id}/credits`,
            {
              token: adminToken,
              json: { delta: 100_000, reason: 'load test', reference: `load-${i}` },
            },
          );
          if (granted.status >= 300) throw new Error(`credit grant failed: ${granted.status}`);
          return { email, address, token: registered.body.accessToken, imageIds: [] };
        })(),
      );
    }

    // The measured window.
    const queueSamples: Array<{ depth: number; ageMs: number }> = [];
    measuring = true;
    const started = performance.now();
    const until = Date.now() + DURATION_S * 1000;
    const sampler = setInterval(() => {
      void db
        .query<{ depth: number; age_ms: number | null }>(
          `SELECT COUNT(*)::int AS depth,
                  (EXTRACT(EPOCH FROM now() - MIN(created_at)) * 1000)::float8 AS age_ms
             FROM ai_jobs WHERE status = 'queued'`,
        )
        .then(({ rows }) =>
          queueSamples.push({ depth: rows[0]?.depth ?? 0, ageMs: rows[0]?.age_ms ?? 0 }),
        )
        .catch(() => undefined);
    }, 1000);
    await Promise.all([
      adminLoop(adminToken, until),
      ...sellers.map(async (seller) => {
        while (Date.now() < until && !interruptedBy) await pick()(seller);
      }),
    ]);
    const windowSeconds = (performance.now() - started) / 1000;
    measuring = false;
    clearInterval(sampler);
    // Stopped: no report of a cut window; onSignal exits once the clean-up is done.
    if (interruptedBy) throw new Error(`stopped by ${interruptedBy}`);

    // Every job terminal and its hold settled (or we give up after the drain timeout).
    const ids = [...jobIds];
    let open = ids.length;
    const drainUntil = Date.now() + DRAIN_TIMEOUT_S * 1000;
    while (Date.now() < drainUntil && !interruptedBy) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM ai_jobs WHERE status NOT IN ('succeeded', 'failed', 'canceled')`,
      );
      open = rows[0]?.n ?? 0;
      if (open === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const drainedSeconds = (performance.now() - started) / 1000;
    const { rows: jobRows } = await db.query<{ status: string; n: number }>(
      `SELECT status, COUNT(*)::int AS n FROM ai_jobs GROUP BY status ORDER BY status`,
    );
    const { rows: pendingRows } = await db.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM ai_jobs j JOIN credit_holds h ON h.id = j.hold_id
        WHERE j.status IN ('succeeded', 'failed', 'canceled') AND h.status = 'pending'`,
    );
    const unsettled = pendingRows[0]?.n ?? 0;
    const allJobs = jobRows.reduce((sum, row) => sum + row.n, 0);
    const terminal = jobRows
      .filter((row) => TERMINAL.has(row.status))
      .reduce((sum, row) => sum + row.n, 0);

    // The report.
    console.log(
      `\nload — ${DURATION_S}s, ${SELLERS} sellers + 1 admin, 2 API + 2 worker processes, local provider at ${PROVIDER_MS} ms; ` +
        `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    );
    console.log(
      `${'route'.padEnd(50)} ${'count'.padStart(6)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(6)}`,
    );
    let total = 0;
    let errors = 0;
    let serverErrors = 0;
    const sloMisses: string[] = [];
    for (const [route, list] of [...samples].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (route === 'setup') continue;
      const times = list.map((s) => s.ms).sort((a, b) => a - b);
      const bad = list.filter((s) => s.status === 0 || s.status >= 400).length;
      total += list.length;
      errors += bad;
      serverErrors += list.filter((s) => s.status === 0 || s.status >= 500).length;
      const p99 = percentile(times, 0.99);
      if (!STREAMING.has(route) && p99 >= SLO_P99_MS) sloMisses.push(route);
      console.log(
        `${route.padEnd(50)} ${String(list.length).padStart(6)} ${(list.length / windowSeconds).toFixed(1).padStart(7)} ` +
          `${percentile(times, 0.5).toFixed(1).padStart(7)} ${percentile(times, 0.95).toFixed(1).padStart(7)} ${p99.toFixed(1).padStart(7)} ${String(bad).padStart(6)}`,
      );
    }
    const depths = queueSamples.map((s) => s.depth);
    const ages = queueSamples.map((s) => s.ageMs).sort((a, b) => a - b);
    console.log(
      `requests: ${total} in ${windowSeconds.toFixed(1)} s = ${(total / windowSeconds).toFixed(1)} req/s; ` +
        `errors ${errors} (${((100 * errors) / Math.max(1, total)).toFixed(2)} %), of them 5xx or transport ${serverErrors}`,
    );
    console.log(
      `jobs: ${allJobs} submitted, ${terminal} terminal (${jobRows.map((r) => `${r.status} ${r.n}`).join(', ')}); ` +
        `${(terminal / drainedSeconds).toFixed(1)} jobs/s to the last one terminal (${drainedSeconds.toFixed(1)} s); holds still pending on terminal jobs: ${unsettled}`,
    );
    console.log(
      `queue: depth max ${Math.max(0, ...depths)}, mean ${(depths.reduce((a, b) => a + b, 0) / Math.max(1, depths.length)).toFixed(1)}; ` +
        `oldest waiting p50 ${percentile(ages, 0.5).toFixed(0)} ms, max ${(ages.at(-1) ?? 0).toFixed(0)} ms`,
    );
    const verdict = (misses: string[]) =>
      misses.length === 0 && errors === 0
        ? 'met'
        : `not met (${[...misses, ...(errors > 0 ? [`${errors} errors`] : [])].join('; ')})`;
    console.log(
      `SLO p99 < ${SLO_P99_MS} ms on every non-streaming route with 0 errors: ${verdict(sloMisses)}`,
    );
    console.log(
      `  the same but sign-in (its password hash is slow on purpose): ${verdict(sloMisses.filter((route) => route !== PASSWORD_HASHING))}`,
    );

    const verified = cli('ledger-verify.js');
    process.stdout.write(`ledger:verify: ${verified.stdout}`);
    if (failures.length > 0) console.log(`first failures:\n  ${failures.join('\n  ')}`);
    const problems = [
      ...(serverErrors > 0 ? [`${serverErrors} 5xx or transport errors`] : []),
      ...(open > 0 ? [`${open} jobs not terminal after ${DRAIN_TIMEOUT_S} s`] : []),
      ...(unsettled > 0 ? [`${unsettled} terminal jobs with a pending hold`] : []),
      ...(verified.status !== 0 ? [`ledger:verify exited ${verified.status}`] : []),
      ...(total === 0 ? ['no request was measured'] : []),
    ];
    if (problems.length > 0) {
      console.log(`FAILED: ${problems.join('; ')}`);
      for (const log of logs) console.log(log.tail());
      exitCode = 1;
    } else console.log('OK: no 5xx, every job terminal and settled, ledger verified');
  } finally {
    await cleanUp();
  }
  process.exit(interruptedBy ? SIGNAL_EXIT[interruptedBy] : exitCode);
}

void main().catch(async (error: unknown) => {
  // Stopped by a signal, the run's failures are the stop's: onSignal exits once cleaned up.
  if (interruptedBy) return;
  console.error(error);
  await cleanUp().catch(() => undefined);
  process.exit(1);
});
