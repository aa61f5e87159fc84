/**
 * npm run bench:abuse [-- --users 10 --events 500 --shared-address] — abuse scoring throughput
 * in the worker. The built API and worker in their own processes (production mode, a throwaway
 * database and Redis prefix, ABUSE_SCORING=on, the local provider at 0 ms). N sellers register
 * through the API (each from its own address via X-Forwarded-For, or all from one with
 * --shared-address, and its own X-Device-Id); once their registrations and sign-up grants are
 * scored, M events are emitted through the real API, one submitter per seller: job submits
 * (`POST /v1/ai/jobs`) and every tenth a login (`POST /v1/auth/login`). Each becomes a domain
 * event in the API's transaction; the worker's outbox dispatcher hands it to the abuse
 * subscriber, which writes its `abuse_observations` row and rescores the users it concerns in
 * one transaction. A poller sees each row appear (every 10 ms). Figures: events scored per
 * second (first event created → last scored), and p50 / p99 of event created
 * (`domain_events.created_at`, the API transaction's start) → scored (its observation row
 * visible), split at the outbox dispatcher (`dispatched_at`). With --backlog the worker is
 * stopped while the events are emitted and started after: events/s is then the rate at which it
 * drains a backlog (first → last scored), its scoring capacity rather than the API's
 * emission rate. Figures, not assertions.
 */
import 'reflect-metadata';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { repoRoot } from '@jewelshot/platform';
import { benchApiEnv, createBenchDatabase, dropBenchDatabase, waitFor } from './support';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string' },
    events: { type: 'string' },
    'shared-address': { type: 'boolean' },
    backlog: { type: 'boolean' },
  },
});
const USERS = Number(args.users ?? process.env.BENCH_ABUSE_USERS ?? 10);
const EVENTS = Number(args.events ?? process.env.BENCH_ABUSE_EVENTS ?? 500);
const SHARED_ADDRESS = args['shared-address'] ?? process.env.BENCH_ABUSE_SHARED_ADDRESS === 'true';
const BACKLOG = args.backlog ?? process.env.BENCH_ABUSE_BACKLOG === 'true';
const LOGIN_EVERY = 10;
const API_PORT = 38381;
const PASSWORD = 'bench-password-123';
const POLL_MS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Seller {
  email: string;
  accessToken: string;
  address: string;
  deviceId: string;
}

/** Watches `abuse_observations`, noting when each event's row was first seen. */
function observer(db: Client) {
  const seenAt = new Map<string, number>();
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const { rows } = await db.query<{ event_id: string }>(
        `SELECT event_id FROM abuse_observations`,
      );
      const now = Date.now();
      for (const row of rows) if (!seenAt.has(row.event_id)) seenAt.set(row.event_id, now);
      await sleep(POLL_MS);
    }
  })();
  return {
    seenAt,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

async function main(): Promise<void> {
  if (!Number.isInteger(USERS) || USERS < 1 || !Number.isInteger(EVENTS) || EVENTS < 1)
    throw new Error('--users and --events must be positive integers');
  const root = repoRoot();
  const { database, admin } = await createBenchDatabase();
  const storage = await mkdtemp(join(tmpdir(), 'jewelshot-bench-abuse-'));
  const env = {
    ...benchApiEnv(database, API_PORT, 'warn'),
    ABUSE_SCORING: 'on',
    // Every seller can pay for its share of the submits out of its sign-up grant.
    SIGNUP_CREDITS: String(Math.ceil(EVENTS / USERS) * 10 + 100),
    TRUSTED_PROXIES: '127.0.0.1/32',
    EVENTS_POLL_MS: '50',
    LOCAL_PROVIDER_LATENCY_MS: '0',
    STORAGE_DIR: join(storage, 'files'),
    OUTBOX_DIR: join(storage, 'outbox'),
  };
  const db = new Client({ connectionString: env.DATABASE_URL });
  const children: ChildProcess[] = [];
  const start = (file: string) => {
    const child = spawn(process.execPath, [join(root, 'dist', 'apps', ...file.split('/'))], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  };
  const stop = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  try {
    const migrated = spawnSync(
      process.execPath,
      [join(root, 'dist', 'apps', 'cli', 'src', 'migrate.js')],
      { env, encoding: 'utf8' },
    );
    if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    await db.connect();
    start('api/src/main.js');
    let worker = start('worker/src/main.js');
    const base = `http://127.0.0.1:${API_PORT}`;
    await waitFor(`${base}/health/live`);

    const headers = (seller: Pick<Seller, 'address' | 'deviceId'>, token?: string) => ({
      'content-type': 'application/json',
      'x-forwarded-for': seller.address,
      'x-device-id': seller.deviceId,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
    /** POSTs, trying again while a busy machine answers 503 (password hashing is admission-controlled). */
    const post = async (path: string, body: unknown, head: Record<string, string>) => {
      for (let attempt = 0; ; attempt += 1) {
        const res = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: head,
          body: JSON.stringify(body),
        });
        if (res.status !== 503 || attempt >= 10) return res;
        await sleep(500);
      }
    };

    // Setup: the sellers register (a `registered` and a `signup-grant` event each).
    const sellers: Seller[] = [];
    for (let i = 0; i < USERS; i += 1) {
      const who = {
        email: `bench-abuse-${i}@example.test`,
        address: SHARED_ADDRESS ? '198.51.100.7' : `198.51.100.${i + 1}`,
        deviceId: `bench-device-${String(i).padStart(4, '0')}`,
      };
      const res = await post(
        '/v1/auth/register',
        { email: who.email, password: PASSWORD },
        headers(who),
      );
      if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
      const { accessToken } = (await res.json()) as { accessToken: string };
      sellers.push({ ...who, accessToken });
    }
    const setupUntil = Date.now() + 120_000;
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM abuse_observations`,
      );
      if ((rows[0]?.n ?? 0) >= USERS * 2) break;
      if (Date.now() > setupUntil) throw new Error('the registrations were not scored in 2 min');
      await sleep(100);
    }
    const before = new Set(
      (await db.query<{ event_id: string }>(`SELECT event_id FROM abuse_observations`)).rows.map(
        (r) => r.event_id,
      ),
    );

    // The measured part: M events through the API, one submitter per seller.
    if (BACKLOG) await stop(worker);
    const watch = observer(db);
    const load = loadavg()[0] ?? 0;
    const started = Date.now();
    let next = 0;
    let logins = 0;
    await Promise.all(
      sellers.map(async (seller) => {
        while (next < EVENTS) {
          next += 1;
          const n = next;
          if (n % LOGIN_EVERY === 0) {
            logins += 1;
            const res = await post(
              '/v1/auth/login',
              { email: seller.email, password: PASSWORD },
              headers(seller),
            );
            if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
          } else {
            const res = await post(
              '/v1/ai/jobs',
              // A few prompts repeat: the duplicate-prompt signal has something to count.
              { operation: 'generate', params: { prompt: `a gold ring, shot ${n % 40}` } },
              headers(seller, seller.accessToken),
            );
            if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
          }
        }
      }),
    );
    const emittedIn = (Date.now() - started) / 1000;
    const workerStarted = Date.now();
    if (BACKLOG) worker = start('worker/src/main.js');
    const until = Date.now() + 10 * 60_000;
    const scoredSoFar = () => [...watch.seenAt.keys()].filter((id) => !before.has(id)).length;
    while (scoredSoFar() < EVENTS && Date.now() < until) await sleep(50);
    await watch.stop();

    const mine = [...watch.seenAt.entries()].filter(([id]) => !before.has(id));
    const { rows: created } = await db.query<{ id: string; at: string; dispatched: string }>(
      `SELECT id, (extract(epoch FROM created_at) * 1000)::float8 AS at,
              (extract(epoch FROM dispatched_at) * 1000)::float8 AS dispatched
         FROM domain_events WHERE id = ANY($1::uuid[])`,
      [mine.map(([id]) => id)],
    );
    const createdAt = new Map(created.map((row) => [row.id, Number(row.at)]));
    const dispatchedAt = new Map(created.map((row) => [row.id, Number(row.dispatched)]));
    const percentiles = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const pick = (q: number) =>
        sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
      return `p50 ${pick(0.5).toFixed(0)} ms, p99 ${pick(0.99).toFixed(0)} ms, max ${pick(1).toFixed(0)} ms`;
    };
    const toScored = mine.map(([id, seen]) => seen - (createdAt.get(id) ?? seen));
    const toDispatched = mine.map(
      ([id, seen]) => (dispatchedAt.get(id) ?? seen) - (createdAt.get(id) ?? seen),
    );
    const dispatchedToScored = mine.map(([id, seen]) => seen - (dispatchedAt.get(id) ?? seen));
    const firstCreated = Math.min(...createdAt.values());
    const lastScored = Math.max(...mine.map(([, seen]) => seen));
    const firstScored = Math.min(...mine.map(([, seen]) => seen));
    // Backlog: from the first event the started worker scored (its boot left out).
    const seconds = (lastScored - (BACKLOG ? firstScored : firstCreated)) / 1000;
    const { rows: flags } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM abuse_flags WHERE status = 'open'`,
    );
    process.stdout.write(
      [
        `bench:abuse — ${USERS} sellers (${SHARED_ADDRESS ? 'one shared address' : 'one address each'}), ${EVENTS} events (${EVENTS - logins} job submits, ${logins} logins) through the API, ${cpus().length} CPUs, load average ${load.toFixed(2)} at the start`,
        BACKLOG
          ? `backlog: emitted in ${emittedIn.toFixed(1)} s with the worker stopped; scored ${mine.length}/${EVENTS} in ${seconds.toFixed(1)} s from the first scored (the worker came up in ${((firstScored - workerStarted) / 1000).toFixed(1)} s): ${(mine.length / seconds).toFixed(1)} events/s`
          : `scored ${mine.length}/${EVENTS} in ${seconds.toFixed(1)} s from the first event (emitted in ${emittedIn.toFixed(1)} s): ${(mine.length / seconds).toFixed(1)} events/s`,
        `event created → scored:     ${percentiles(toScored)} (polled every ${POLL_MS} ms)`,
        `  created → dispatched:     ${percentiles(toDispatched)}`,
        `  dispatched → scored:      ${percentiles(dispatchedToScored)}`,
        `open flags at the end: ${flags[0]?.n ?? 0}`,
        '',
      ].join('\n'),
    );
  } finally {
    await Promise.all(children.map(stop));
    await db.end().catch(() => undefined);
    await dropBenchDatabase(admin, database, env);
    await rm(storage, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:abuse failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
