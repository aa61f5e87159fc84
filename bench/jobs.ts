/**
 * npm run bench:jobs — (a) end-to-end jobs per second (HTTP submit → queue → worker → charged,
 * succeeded) with the local provider at 0 ms, beside raw BullMQ add-and-process of an empty job
 * and beside the "same work" floor, in the same run: the minimum SQL of a paid job as raw `pg`
 * transactions (reserve and insert the job; claim; store the output row, post the hold and
 * charge, mark succeeded) plus the same BullMQ add/process, same submitters and concurrency.
 * Then 50 more jobs each way with statements counted (a `pg` query hook preloaded into the API
 * and worker: bench/pg-count-hook.ts; the floor counts its own) and Redis commands counted
 * (MONITOR, the commands naming this run's keys), printed per job; (b) a 100-image batch at 1,000 ms provider latency: wall time against the
 * ideal (100 / concurrency s) and the speed-up over one at a time. Production mode, the built
 * apps in their own processes, a throwaway database and Redis prefix. Figures, not assertions.
 */
import 'reflect-metadata';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Client, Pool } from 'pg';
import sharp from 'sharp';
import { repoRoot } from '@jewelshot/platform';
import { benchBaseEnv, cpuSecondsOf } from './support';
import { floorProcess, floorSubmit, floorTx, type FloorCounts, type FloorJob } from './floor-work';

const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = Number(process.env.BENCH_JOBS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 8);
const SUBMITTERS = 16;
const API_PORT = 38281;

/** CPU seconds the whole machine has been busy so far (Linux /proc/stat; 0 elsewhere). */
function machineBusySeconds(): number {
  try {
    const [, ...ticks] =
      readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/) ?? [];
    const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
    return (
      ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100
    );
  } catch {
    return 0;
  }
}

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
    // Nothing inherited that reaches beyond this machine (mail, the AI provider, S3, traces).
    ...benchBaseEnv(),
    NODE_ENV: 'production',
    // Rate limits are off and the secrets are in this file: loopback only.
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: `${SERVER}/${database}`,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    WEBHOOK_SECRET_KEY: 'bench-webhook-secret-key-0123456789-abcdef',
    EMAIL_TOKEN_SECRET: 'bench-email-secret-bench-email-secret-0123',
    AUDIT_CHAIN_KEY: 'bench-audit-chain-key-bench-audit-chain-0123',
    APP_BASE_URL: 'http://127.0.0.1:5173',
    PUBLIC_BASE_URL: `http://127.0.0.1:${API_PORT}`,
    PORT: String(API_PORT),
    STORAGE_DIR: storage,
    EMAIL_DRIVER: 'outbox',
    OUTBOX_DIR: join(storage, 'outbox'),
    AI_PROVIDER: 'local',
    RATE_LIMIT_MAX: '100000000',
    AUTH_RATE_LIMIT_MAX: '100000000',
    // Each account submits up to JOBS / SUBMITTERS + 50 jobs, and (b) uploads 100 images.
    SUBMIT_RATE_LIMIT_MAX: '100000000',
    UPLOAD_RATE_LIMIT_MAX: '100000000',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    DB_POOL_SIZE: '20',
    // The sellers sign up from addresses of their own (X-Forwarded-For from the loopback
    // proxy), as distinct sellers do: from one address they would be one farm to the abuse
    // scoring (flagged, demoted, their group rescored), which is not the path a job measures.
    TRUSTED_PROXIES: '127.0.0.1/32',
  };
  const hook = ['-r', join(root, 'dist', 'bench', 'pg-count-hook.js')];
  const counted = new Map<'api' | 'worker', ChildProcess>();
  // The API's and the worker's statements so far: each answers on its IPC channel when asked
  // (bench/pg-count-hook.ts), and counts nothing out on its own during the timed runs.
  const statementsOf = (child: ChildProcess) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no statement count after 2 s')), 2000);
      child.once('message', (message: { pgStatements?: unknown }) => {
        clearTimeout(timer);
        resolve(Number(message.pgStatements));
      });
      child.send('pg-statements');
    });
  const statementsSoFar = async (): Promise<number> => {
    let sum = 0;
    for (const child of counted.values()) sum += await statementsOf(child);
    return sum;
  };
  // BENCH_PROFILE_DIR=<dir> writes a CPU profile of the API and of each worker process there.
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const startWorker = (latencyMs: number) => {
    const worker = spawn(
      process.execPath,
      [...hook, ...profile, join(root, 'dist', 'apps', 'worker', 'src', 'main.js')],
      {
        env: {
          ...env,
          LOCAL_PROVIDER_LATENCY_MS: String(latencyMs),
          BENCH_PG_COUNT: '1',
        },
        // The channel the statement count is asked for on.
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      },
    );
    children.push(worker);
    counted.set('worker', worker);
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
    const api = spawn(
      process.execPath,
      [...hook, ...profile, join(root, 'dist', 'apps', 'api', 'src', 'main.js')],
      {
        env: { ...env, BENCH_PG_COUNT: '1' },
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      },
    );
    children.push(api);
    counted.set('api', api);
    await waitFor(`http://127.0.0.1:${API_PORT}/health/live`);
    const base = `http://127.0.0.1:${API_PORT}`;
    // One account per submitter, as in a SaaS with many sellers (one account alone would
    // serialise every hold and charge on its row lock: see bench:ledger for that case), each
    // from a network of its own (a private /24 per seller, as in the load test).
    const register = async (i: number) =>
      (await (
        await fetch(`${base}/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.${i}.10` },
          body: JSON.stringify({
            email: `bench-${i}@example.test`,
            password: 'bench-password-123',
          }),
        })
      ).json()) as { accessToken: string; user: { id: string } };
    // One at a time (password hashing is admission-controlled); the admin is an extra account,
    // since an admin may not adjust their own credits.
    // A busy machine may answer 503 (hashing queue full): try again a few times.
    const registered = async (i: number) => {
      for (let attempt = 0; ; attempt += 1) {
        const result = await register(i);
        if (result.user || attempt >= 10) return result;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    const users: Array<Awaited<ReturnType<typeof register>>> = [];
    for (let i = 0; i < SUBMITTERS; i += 1) users.push(await registered(i));
    const admin = await registered(SUBMITTERS);
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
    // (b)'s batch is paid by a funded seller (the admin has no credits of its own).
    const seller = users[0];
    if (!seller) throw new Error('no users');
    const auth = { authorization: `Bearer ${seller.accessToken}` };

    // (a) end to end at 0 ms provider latency.
    let worker = startWorker(0);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    type JobBody = (user: (typeof users)[number], n: number) => object;
    const generate: JobBody = (_user, n) => ({
      operation: 'generate',
      params: { prompt: `bench ring ${n}` },
    });
    const submitAll = async (count: number, body: JobBody = generate, to = base) => {
      let next = 0;
      await Promise.all(
        users.map(async (user) => {
          while (next < count) {
            next += 1;
            const res = await fetch(`${to}/v1/ai/jobs`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${user.accessToken}`,
                'content-type': 'application/json',
              },
              body: JSON.stringify(body(user, next)),
            });
            if (res.status !== 202)
              throw new Error(`submit failed: ${res.status} ${await res.text()}`);
          }
        }),
      );
    };
    const waitTerminal = async (total: number) => {
      for (;;) {
        const { rows } = await db.query<{ n: number }>(
          // The floor's jobs (prompt 'bench ring') are not ours.
          `SELECT COUNT(*)::int AS n FROM ai_jobs
            WHERE status IN ('succeeded', 'failed')
              AND COALESCE(params->>'prompt', '') <> 'bench ring'`,
        );
        if ((rows[0]?.n ?? 0) >= total) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    // Where the CPU goes in a timed run: the API, the worker, and the rest of the machine
    // (PostgreSQL, Redis, this script's submitters), per job.
    let finished = 0;
    const cpuMsPerJob = (from: number, to: number) => (((to - from) / JOBS) * 1000).toFixed(1);
    const timedRun = async (body: JobBody) => {
      const cpu0 = {
        api: cpuSecondsOf(api.pid),
        worker: cpuSecondsOf(worker.pid),
        machine: machineBusySeconds(),
      };
      const started = performance.now();
      await submitAll(JOBS, body);
      const submittedIn = (performance.now() - started) / 1000;
      finished += JOBS;
      await waitTerminal(finished);
      const seconds = (performance.now() - started) / 1000;
      const cpu = {
        api: cpuMsPerJob(cpu0.api, cpuSecondsOf(api.pid)),
        worker: cpuMsPerJob(cpu0.worker, cpuSecondsOf(worker.pid)),
        machine: cpuMsPerJob(cpu0.machine, machineBusySeconds()),
      };
      return { seconds, submittedIn, cpu };
    };
    const timed = await timedRun(generate);
    const { seconds: e2eSeconds, submittedIn, cpu } = timed;
    // The same path with the image work at its least: each seller removes the background of
    // one 64 × 64 upload (the provider stand-in and the output's re-encode take well under a
    // millisecond), so what is left is the job path the floor stands for.
    const tinyPng = await sharp({
      create: { width: 64, height: 64, channels: 3, background: { r: 250, g: 250, b: 250 } },
    })
      .png()
      .toBuffer();
    const tinyInputs = new Map<string, string>();
    for (const user of users) {
      const form = new FormData();
      form.append('file', new Blob([tinyPng], { type: 'image/png' }), 'tiny.png');
      const res = await fetch(`${base}/v1/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.accessToken}` },
        body: form,
      });
      if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
      tinyInputs.set(user.user.id, ((await res.json()) as { id: string }).id);
    }
    const tiny = await timedRun((user) => ({
      operation: 'remove-background',
      params: { inputImageId: tinyInputs.get(user.user.id) },
    }));
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

    process.stderr.write('bench:jobs: same-work floor\n');
    // The same work as a paid job, by hand: raw pg transactions and the same BullMQ hop.
    const floorPool = new Pool({
      connectionString: `${SERVER}/${database}`,
      max: 20,
      options: '-c app.all_users=on',
    });
    const floorMachine0 = machineBusySeconds();
    const floorTimed = await sameWorkFloor(
      floorPool,
      users.map((u) => u.user.id),
      JOBS,
      `${prefix}floor`,
    );
    const floorCpuMs = (((machineBusySeconds() - floorMachine0) / JOBS) * 1000).toFixed(1);

    process.stderr.write('bench:jobs: same-work floor over HTTP\n');
    // The same floor in ours' shape: a plain Fastify API process taking the same HTTP submits
    // (bearer token, rate-limit call, the floor's transaction, the add, a log line) and a plain
    // worker process (bench/floor-server.ts). What it costs beyond the floor is the HTTP request
    // and the processes, which the floor leaves out and ours cannot.
    const floorHttpPort = API_PORT + 2;
    const floorServer = (role: 'api' | 'worker') => {
      const child = spawn(process.execPath, [join(root, 'dist', 'bench', 'floor-server.js')], {
        env: { ...env, FLOOR_ROLE: role, PORT: String(floorHttpPort) },
        stdio: 'ignore',
      });
      children.push(child);
      return child;
    };
    const floorApi = floorServer('api');
    const floorWorker = floorServer('worker');
    await waitFor(`http://127.0.0.1:${floorHttpPort}/health/live`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const httpFloorCpu0 = {
      api: cpuSecondsOf(floorApi.pid),
      worker: cpuSecondsOf(floorWorker.pid),
      machine: machineBusySeconds(),
    };
    const httpFloorStarted = performance.now();
    await submitAll(JOBS, generate, `http://127.0.0.1:${floorHttpPort}`);
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM ai_jobs WHERE status = 'succeeded' AND params->>'via' = 'http'`,
      );
      if ((rows[0]?.n ?? 0) >= JOBS) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const httpFloorSeconds = (performance.now() - httpFloorStarted) / 1000;
    const httpFloorCpu = {
      api: cpuMsPerJob(httpFloorCpu0.api, cpuSecondsOf(floorApi.pid)),
      worker: cpuMsPerJob(httpFloorCpu0.worker, cpuSecondsOf(floorWorker.pid)),
      machine: cpuMsPerJob(httpFloorCpu0.machine, machineBusySeconds()),
    };
    for (const child of [floorApi, floorWorker]) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }

    process.stderr.write('bench:jobs: counted runs\n');
    // Counted runs: 50 jobs each way, statements (pg hook) and Redis commands (MONITOR).
    const COUNTED = 50;
    // MONITOR on a plain socket (ioredis's monitor mode loses its reply queue under this load):
    // every line is one command; those naming this run's keys are ours. Commands BullMQ's Lua
    // scripts run inside Redis show as `[0 lua]`: counted apart, they are not round trips.
    const redisUrl = new URL(REDIS_URL);
    const monitorSocket = connect(Number(redisUrl.port || 6379), redisUrl.hostname);
    let redisCommands = 0;
    let redisSent = 0;
    let partial = '';
    monitorSocket.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\r\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes(prefix)) continue;
        redisCommands += 1;
        if (!line.includes(' lua] ')) redisSent += 1;
      }
    });
    monitorSocket.write('MONITOR\r\n');
    // Background work (outbox, sweeps, heartbeats) in the same span, measured idle first.
    const idleStatements0 = await statementsSoFar();
    const idleRedis0 = redisCommands;
    const idleSent0 = redisSent;
    const idleStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleSeconds = (performance.now() - idleStarted) / 1000;
    const idleStatementsPerS = ((await statementsSoFar()) - idleStatements0) / idleSeconds;
    const idleRedisPerS = (redisCommands - idleRedis0) / idleSeconds;
    const idleSentPerS = (redisSent - idleSent0) / idleSeconds;
    const oursStatements0 = await statementsSoFar();
    const oursRedis0 = redisCommands;
    const oursSent0 = redisSent;
    const oursXacts0 = await commits(pg, database);
    const countedStarted = performance.now();
    await submitAll(COUNTED);
    await waitTerminal(finished + COUNTED);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const countedSeconds = (performance.now() - countedStarted) / 1000;
    const oursStatements = (await statementsSoFar()) - oursStatements0;
    const oursRedis = redisCommands - oursRedis0;
    const oursSent = redisSent - oursSent0;
    const oursXacts = (await commits(pg, database)) - oursXacts0;
    const floorRedis0 = redisCommands;
    const floorSent0 = redisSent;
    const floorCounted = await sameWorkFloor(
      floorPool,
      users.map((u) => u.user.id),
      COUNTED,
      `${prefix}floor-counted`,
    );
    const floorRedis = redisCommands - floorRedis0;
    const floorSent = redisSent - floorSent0;
    monitorSocket.destroy();
    await floorPool.end();

    // (a)'s figures now, before (b) can take long.
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
      `    CPU per job: API ${cpu.api} ms, worker ${cpu.worker} ms, whole machine ${cpu.machine} ms (of ${cpus().length} CPUs × ${((e2eSeconds / JOBS) * 1000).toFixed(1)} ms wall per job)`,
    );
    console.log(
      `    the same with the least image work (remove-background of a 64 × 64 upload): ${(JOBS / tiny.seconds).toFixed(1)} jobs/s (${tiny.seconds.toFixed(2)} s; submits took ${tiny.submittedIn.toFixed(2)} s); ` +
        `CPU per job: API ${tiny.cpu.api} ms, worker ${tiny.cpu.worker} ms, whole machine ${tiny.cpu.machine} ms`,
    );
    console.log(
      `    raw BullMQ add + empty process: ${(JOBS / rawSeconds).toFixed(1)} jobs/s (${rawSeconds.toFixed(2)} s)`,
    );
    console.log(`    ratio ours/raw: ${(rawSeconds / e2eSeconds).toFixed(3)}`);
    console.log(
      `    same-work floor (raw pg transactions + the same BullMQ hop): ${(JOBS / floorTimed.seconds).toFixed(1)} jobs/s (${floorTimed.seconds.toFixed(2)} s)`,
    );
    console.log(
      `    ratio ours/same-work: ${(floorTimed.seconds / e2eSeconds).toFixed(2)} (goal ≥ 0.50); with the least image work: ${(floorTimed.seconds / tiny.seconds).toFixed(2)}`,
    );
    console.log(`    same-work floor CPU per job, whole machine: ${floorCpuMs} ms`);
    console.log(
      `    same-work floor over HTTP (plain Fastify API and worker processes, the same submits): ${(JOBS / httpFloorSeconds).toFixed(1)} jobs/s (${httpFloorSeconds.toFixed(2)} s); ` +
        `CPU per job: API ${httpFloorCpu.api} ms, worker ${httpFloorCpu.worker} ms, whole machine ${httpFloorCpu.machine} ms`,
    );
    console.log(
      `    ratio floor over HTTP/floor: ${(floorTimed.seconds / httpFloorSeconds).toFixed(2)}; ours/floor over HTTP: ${(httpFloorSeconds / e2eSeconds).toFixed(2)}, with the least image work: ${(httpFloorSeconds / tiny.seconds).toFixed(2)}`,
    );
    const idleStatements = idleStatementsPerS * countedSeconds;
    const idleRedis = idleRedisPerS * countedSeconds;
    const idleSent = idleSentPerS * countedSeconds;
    console.log(
      `    per job (${COUNTED} counted; background work measured idle and taken off: ${idleStatementsPerS.toFixed(1)} statements/s, ${idleRedisPerS.toFixed(1)} Redis commands/s):`,
    );
    console.log(
      `      ours: ${((oursStatements - idleStatements) / COUNTED).toFixed(1)} SQL statements (${(oursStatements / COUNTED).toFixed(1)} before), ` +
        `${(oursXacts / COUNTED).toFixed(1)} transactions (pg_stat_database, incl. the bench's polling), ` +
        `${((oursSent - idleSent) / COUNTED).toFixed(1)} Redis commands sent (${((oursRedis - idleRedis) / COUNTED).toFixed(1)} with those run inside Redis by scripts; ${(oursRedis / COUNTED).toFixed(1)} before taking background off)`,
    );
    console.log(
      `      same-work floor: ${(floorCounted.statements / COUNTED).toFixed(1)} SQL statements, ${(floorCounted.transactions / COUNTED).toFixed(1)} transactions, ` +
        `${(floorSent / COUNTED).toFixed(1)} Redis commands sent (${(floorRedis / COUNTED).toFixed(1)} with those run inside Redis by scripts)`,
    );
    process.stderr.write('bench:jobs: (b) batch\n');
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
      if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
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
    if (!batch.ok) throw new Error(`batch failed: ${batch.status} ${await batch.text()}`);
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

/** Transactions committed in the database so far (cluster statistics, any connection). */
async function commits(pg: Client, database: string): Promise<number> {
  const { rows } = await pg.query<{ n: string }>(
    `SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1`,
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * The minimum a paid job needs, by hand, at the same concurrency: SUBMITTERS callers each
 * reserve and insert a job in one transaction and add it to a BullMQ queue; a worker at
 * CONCURRENCY claims it (one statement), and in one transaction stores its output row, posts
 * the hold with the charge and marks it succeeded. No provider, no image, no events.
 */
async function sameWorkFloor(
  pool: Pool,
  userIds: string[],
  jobs: number,
  queuePrefix: string,
): Promise<{ seconds: number; statements: number; transactions: number }> {
  const counts: FloorCounts = { statements: 0, transactions: 0 };
  const name = 'floor';
  const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix: queuePrefix });
  let done = 0;
  let resolveDone: () => void = () => undefined;
  let rejectDone: (error: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const worker = new Worker<FloorJob>(
    name,
    async (job) => {
      await floorProcess(pool, counts, job.data);
      done += 1;
      if (done === jobs) resolveDone();
    },
    {
      connection: { url: REDIS_URL, maxRetriesPerRequest: null },
      prefix: queuePrefix,
      concurrency: CONCURRENCY,
    },
  );
  worker.on('failed', (_job, error) => rejectDone(error));
  finished.catch(() => undefined); // awaited below; a failure before that is not unhandled
  const started = performance.now();
  let next = 0;
  await Promise.all(
    userIds.map(async (userId) => {
      while (next < jobs) {
        next += 1;
        const reference = `floor:${queuePrefix}:${next}`;
        const ids = await floorTx(pool, counts, (query) => floorSubmit(query, userId, reference));
        await queue.add('job', { ...ids, userId }, { removeOnComplete: true });
      }
    }),
  );
  await finished;
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`bench:jobs: floor of ${jobs} done in ${seconds.toFixed(2)} s\n`);
  await worker.close(true);
  await queue.obliterate({ force: true });
  await queue.close();
  return { seconds, ...counts };
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
