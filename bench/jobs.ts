/**
 * npm run bench:jobs — (a) end-to-end jobs per second (HTTP submit → queue → worker → charged,
 * succeeded) with the local provider at 0 ms, beside raw BullMQ add-and-process of an empty job
 * in the same run; (b) a 100-image batch at 1,000 ms provider latency: wall time against the
 * ideal (100 / concurrency s) and the speed-up over one at a time. Production mode, the built
 * apps in their own processes, a throwaway database and Redis prefix. Figures, not assertions.
 */
import 'reflect-metadata';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import sharp from 'sharp';
import { repoRoot } from '@jewelshot/platform';

const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = Number(process.env.BENCH_JOBS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 8);
const SUBMITTERS = 16;
const API_PORT = 38281;

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

async function main(): Promise<void> {
  const root = repoRoot();
  const stamp = Date.now();
  const database = `jewelshot_bench_jobs_${stamp}`;
  const prefix = `bench-jobs-${stamp}:`;
  const storage = await mkdtemp(join(tmpdir(), 'jewelshot-bench-'));
  const pg = new Client({ connectionString: `${SERVER}/postgres` });
  await pg.connect();
  await pg.query(`CREATE DATABASE "${database}"`);
  const db = new Client({ connectionString: `${SERVER}/${database}` });
  const children: ChildProcess[] = [];
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: `${SERVER}/${database}`,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    WEBHOOK_SECRET_KEY: 'bench-webhook-secret-key-0123456789-abcdef',
    PORT: String(API_PORT),
    STORAGE_DIR: storage,
    RATE_LIMIT_MAX: '100000000',
    AUTH_RATE_LIMIT_MAX: '100000000',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    DB_POOL_SIZE: '20',
  };
  const startWorker = (latencyMs: number) => {
    // BENCH_PROFILE_DIR=<dir> writes a CPU profile of each worker process there.
    const profile = process.env.BENCH_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
    const worker = spawn(
      process.execPath,
      [...profile, join(root, 'dist', 'apps', 'worker', 'src', 'main.js')],
      {
        env: { ...env, LOCAL_PROVIDER_LATENCY_MS: String(latencyMs) },
        stdio: 'ignore',
      },
    );
    children.push(worker);
    return worker;
  };
  try {
    const migrated = spawnSync(
      process.execPath,
      [join(root, 'dist', 'apps', 'cli', 'src', 'migrate.js')],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    await db.connect();
    children.push(
      spawn(process.execPath, [join(root, 'dist', 'apps', 'api', 'src', 'main.js')], {
        env,
        stdio: 'ignore',
      }),
    );
    await waitFor(`http://127.0.0.1:${API_PORT}/health/live`);
    const base = `http://127.0.0.1:${API_PORT}`;
    // One account per submitter, as in a SaaS with many sellers (one account alone would
    // serialise every hold and charge on its row lock: see bench:ledger for that case).
    const register = async (i: number) =>
      (await (
        await fetch(`${base}/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            email: `bench-${i}@example.test`,
            password: 'bench-password-123',
          }),
        })
      ).json()) as { accessToken: string; user: { id: string } };
    const users = await Promise.all(Array.from({ length: SUBMITTERS }, (_, i) => register(i)));
    const admin = users[0];
    if (!admin) throw new Error('no users');
    // Credits for the run, through the path an operator has: admin adjustments.
    await db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.user.id]);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the role cache
    for (const user of users) {
      const adjust = await fetch(`${base}/v1/admin/users/${user.user.id}/credits`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${admin.accessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          delta: 10_000,
          reason: 'bench',
          reference: `bench-credits-${user.user.id}`,
        }),
      });
      if (!adjust.ok) throw new Error(`adjust failed: ${adjust.status} ${await adjust.text()}`);
    }
    const auth = { authorization: `Bearer ${admin.accessToken}` };

    // (a) end to end at 0 ms provider latency.
    let worker = startWorker(0);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      users.map(async (user) => {
        while (next < JOBS) {
          next += 1;
          const res = await fetch(`${base}/v1/ai/jobs`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${user.accessToken}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({
              operation: 'generate',
              params: { prompt: `bench ring ${next}` },
            }),
          });
          if (res.status !== 202)
            throw new Error(`submit failed: ${res.status} ${await res.text()}`);
        }
      }),
    );
    const submittedIn = (performance.now() - started) / 1000;
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM ai_jobs WHERE status IN ('succeeded', 'failed')`,
      );
      if ((rows[0]?.n ?? 0) >= JOBS) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const e2eSeconds = (performance.now() - started) / 1000;
    const { rows: failedRows } = await db.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM ai_jobs WHERE status = 'failed'`,
    );

    // Raw BullMQ in the same run: add N empty jobs and process them with the same concurrency.
    const rawQueueName = `raw-bench-${stamp}`;
    const rawQueue = new Queue(rawQueueName, {
      connection: { url: REDIS_URL },
      prefix: `${prefix}raw`,
    });
    let processed = 0;
    let resolveRaw: () => void = () => undefined;
    const rawDone = new Promise<void>((resolve) => (resolveRaw = resolve));
    const rawWorker = new Worker(
      rawQueueName,
      async () => {
        processed += 1;
        if (processed === JOBS) resolveRaw();
      },
      {
        connection: { url: REDIS_URL, maxRetriesPerRequest: null },
        prefix: `${prefix}raw`,
        concurrency: CONCURRENCY,
      },
    );
    const rawStarted = performance.now();
    let rawNext = 0;
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async () => {
        while (rawNext < JOBS) {
          rawNext += 1;
          await rawQueue.add('empty', {}, { removeOnComplete: true });
        }
      }),
    );
    await rawDone;
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    await rawWorker.close();
    await rawQueue.obliterate({ force: true });
    await rawQueue.close();

    // (b) a 100-image batch at 1,000 ms provider latency.
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));
    worker = startWorker(1000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const png = await sharp({
      create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 180, b: 90 } },
    })
      .png()
      .toBuffer();
    const ids: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      const form = new FormData();
      form.append('file', new Blob([png], { type: 'image/png' }), 'ring.png');
      const res = await fetch(`${base}/v1/uploads`, { method: 'POST', headers: auth, body: form });
      ids.push(((await res.json()) as { id: string }).id);
    }
    const batchStarted = performance.now();
    const batch = await fetch(`${base}/v1/batches`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'bench',
        operation: 'remove-background',
        params: {},
        inputImageIds: ids,
      }),
    });
    const batchBody = (await batch.json()) as { id: string };
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM ai_jobs WHERE batch_id = $1 AND status IN ('succeeded', 'failed', 'canceled')`,
        [batchBody.id],
      );
      if ((rows[0]?.n ?? 0) >= 100) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const batchSeconds = (performance.now() - batchStarted) / 1000;
    const ideal = 100 / CONCURRENCY;

    console.log(
      `\nbench:jobs — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, worker concurrency ${CONCURRENCY}`,
    );
    console.log(
      `(a) ${JOBS} jobs from ${SUBMITTERS} accounts submitting at once, local provider at 0 ms`,
    );
    console.log(
      `    end to end: ${(JOBS / e2eSeconds).toFixed(1)} jobs/s (${e2eSeconds.toFixed(2)} s; submits took ${submittedIn.toFixed(2)} s; failed ${failedRows[0]?.n ?? 0})`,
    );
    console.log(
      `    raw BullMQ add + empty process: ${(JOBS / rawSeconds).toFixed(1)} jobs/s (${rawSeconds.toFixed(2)} s)`,
    );
    console.log(`    ratio ours/raw: ${(rawSeconds / e2eSeconds).toFixed(3)}`);
    console.log(`(b) 100-image batch, provider latency 1,000 ms`);
    console.log(
      `    wall ${batchSeconds.toFixed(2)} s, ideal ${ideal.toFixed(2)} s (${((ideal / batchSeconds) * 100).toFixed(0)}% of ideal), one at a time would take ≥ 100 s: speed-up ×${(100 / batchSeconds).toFixed(1)}`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await db.end().catch(() => undefined);
    await pg.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await pg.end();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await rm(storage, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
