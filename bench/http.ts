/**
 * npm run bench:http — autocannon, 10 s at 50 connections, against GET /health/live and an
 * authenticated GET /v1/me on the real API (production mode, its own throwaway database), the
 * same GET /v1/me on a second API process with RATE_LIMIT_ENABLED=false (the limiter's cost:
 * one Redis round trip and the token verified once more), and bench/bare-server.ts: a plain
 * Fastify server doing the same work (the same JWT verified, the same Redis call, the same
 * PostgreSQL query, the same log line), and the same JSON with no work. Our /v1/me and the
 * same-work floor are measured in turn BENCH_ROUNDS times (3; after the same warm-up). Prints req/s, p50 and p99
 * for each and the ratios. Figures, not assertions.
 *
 * BENCH_PROFILE_DIR=<dir> runs the first API process and the same-work server under
 * `node --cpu-prof` (each writes its profile there when it stops).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { RedisConcurrencyStorage, RedisThrottlerStorage, repoRoot } from '@jewelshot/platform';
import {
  benchApiEnv,
  cpuSecondsOf,
  createBenchDatabase,
  dropBenchDatabase,
  waitFor,
} from './support';

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Rounds of ours / same-work / ours without the limiter, in turn; the figures are their means. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const API_PORT = 38181;
const BARE_PORT = 38182;
const UNLIMITED_PORT = 38183;

interface Figures {
  target: string;
  rps: number;
  /** CPU time of the server process per request served (µs), when its pid is known. */
  cpuMicros?: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function load(
  target: string,
  url: string,
  headers: Record<string, string> = {},
  duration = DURATION,
  server?: ChildProcess,
): Promise<Figures> {
  const cpu0 = cpuSecondsOf(server?.pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers });
  const served = result.requests.total;
  return {
    target,
    rps: Math.round(result.requests.average),
    cpuMicros:
      server && served > 0
        ? Math.round(((cpuSecondsOf(server.pid) - cpu0) / served) * 1e6)
        : undefined,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/**
 * The limiter's own Redis work, one call after another on an idle connection: a rate count (what
 * every request pays) and a concurrency acquire + release (what expensive routes add). Less
 * sensitive to a busy machine than req/s: p50/p99 in microseconds.
 */
async function limiterCalls(env: NodeJS.ProcessEnv): Promise<string[]> {
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    keyPrefix: env.REDIS_KEY_PREFIX,
  });
  const counters = new RedisThrottlerStorage(redis);
  const slots = new RedisConcurrencyStorage(redis);
  const percentiles = async (work: (i: number) => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < 3000; i += 1) {
      const started = process.hrtime.bigint();
      await work(i);
      if (i >= 500) times.push(Number(process.hrtime.bigint() - started) / 1000);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => Math.round(times[Math.floor(q * (times.length - 1))] ?? 0);
    return `p50 ${at(0.5)} µs, p99 ${at(0.99)} µs`;
  };
  try {
    return [
      `limiter rate count (every request): ${await percentiles(() =>
        counters.increment('bench', 60_000, 1e9, 'default'),
      )}`,
      `limiter slot acquire + release (expensive routes): ${await percentiles(async (i) => {
        await slots.acquire('bench', 'expensive', 4, 600_000, String(i));
        await slots.release('bench', 'expensive', String(i));
      })}`,
    ];
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const root = repoRoot();
  const { database, admin } = await createBenchDatabase();
  // Its mail (the sign-up's verify message) and files go to a temp dir of its own.
  const scratch = await mkdtemp(join(tmpdir(), 'jewelshot-bench-http-'));
  const env = benchApiEnv(database, API_PORT, 'info', scratch);
  const children: ChildProcess[] = [];
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
    const profile = process.env.BENCH_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
    const api = spawn(
      process.execPath,
      [...profile, join(root, 'dist', 'apps', 'api', 'src', 'main.js')],
      { env, stdio: 'ignore' },
    );
    children.push(api);
    await waitFor(`http://127.0.0.1:${API_PORT}/health/live`);

    const registered = await fetch(`http://127.0.0.1:${API_PORT}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.test', password: 'bench-password-123' }),
    });
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const meBody = await (
      await fetch(`http://127.0.0.1:${API_PORT}/v1/me`, { headers: auth })
    ).text();

    // The same API with the limiter off, on the same database and Redis, beside the first.
    const unlimitedApi = spawn(
      process.execPath,
      [join(root, 'dist', 'apps', 'api', 'src', 'main.js')],
      {
        env: { ...env, PORT: String(UNLIMITED_PORT), RATE_LIMIT_ENABLED: 'false' },
        stdio: 'ignore',
      },
    );
    children.push(unlimitedApi);
    await waitFor(`http://127.0.0.1:${UNLIMITED_PORT}/health/live`);

    const bare = spawn(
      process.execPath,
      [...profile, join(root, 'dist', 'bench', 'bare-server.js')],
      {
        env: { ...env, PORT: String(BARE_PORT), BARE_ME_BODY: meBody },
        stdio: 'ignore',
      },
    );
    children.push(bare);
    await waitFor(`http://127.0.0.1:${BARE_PORT}/health/live`);

    const rows: Figures[] = [];
    // Profiling: the first API process serves /v1/me only, so its profile is /v1/me's.
    const health: Figures[] = [];
    if (!process.env.BENCH_PROFILE_DIR) {
      health.push(await load('ours GET /health/live', `http://127.0.0.1:${API_PORT}/health/live`));
      health.push(await load('bare GET /health/live', `http://127.0.0.1:${BARE_PORT}/health/live`));
    }
    rows.push(...health);
    // The limiter on and off: both processes warmed up alike (JIT, pools, principal cache), then
    // measured in turn ROUNDS times, so a neighbour's burst on a shared machine lands on both.
    const limitedUrl = `http://127.0.0.1:${API_PORT}/v1/me`;
    const unlimitedUrl = `http://127.0.0.1:${UNLIMITED_PORT}/v1/me`;
    const sameWorkUrl = `http://127.0.0.1:${BARE_PORT}/v1/me`;
    const sameWorkCheck = await fetch(sameWorkUrl, { headers: auth });
    if (!sameWorkCheck.ok) throw new Error(`same-work server answered ${sameWorkCheck.status}`);
    await load('warm-up', limitedUrl, auth, 3);
    await load('warm-up', unlimitedUrl, auth, 3);
    await load('warm-up', sameWorkUrl, auth, 3);
    const on: Figures[] = [];
    const off: Figures[] = [];
    const floor: Figures[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      on.push(await load(`ours GET /v1/me (JWT) #${round}`, limitedUrl, auth, DURATION, api));
      floor.push(
        await load(`same-work Fastify /v1/me #${round}`, sameWorkUrl, auth, DURATION, bare),
      );
      off.push(
        await load(`ours /v1/me no limiter #${round}`, unlimitedUrl, auth, DURATION, unlimitedApi),
      );
    }
    rows.push(...on, ...floor, ...off);
    rows.push(
      await load('bare /v1/me (static JSON)', `http://127.0.0.1:${BARE_PORT}/v1/me-static`),
    );
    const calls = await limiterCalls(env);
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log(
      `\nbench:http — ${DURATION}s × ${CONNECTIONS} connections, Node ${process.version}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    );
    console.log('target                           req/s    p50 ms  p99 ms  non-2xx  µs CPU/req');
    for (const row of rows) {
      console.log(
        `${row.target.padEnd(32)} ${String(row.rps).padStart(6)}  ${String(row.p50).padStart(6)}  ${String(row.p99).padStart(6)}  ${String(row.non2xx).padEnd(7)}  ${row.cpuMicros ?? ''}`,
      );
    }
    const ratio = (a: Figures | undefined, b: Figures | undefined) =>
      a && b ? (a.rps / b.rps).toFixed(2) : 'n/a';
    const mean = (list: Figures[], key: 'rps' | 'p50' | 'p99') =>
      Math.round(list.reduce((sum, row) => sum + row[key], 0) / list.length);
    console.log(
      `ratio ours/bare req/s: /health/live ${ratio(health[0], health[1])}, /v1/me vs static JSON ${ratio(on[0], rows.at(-1))}`,
    );
    console.log(
      `/v1/me vs same-work Fastify (mean of ${ROUNDS}): req/s ${mean(on, 'rps')} vs ${mean(floor, 'rps')} ` +
        `= ${(mean(on, 'rps') / mean(floor, 'rps')).toFixed(2)} (goal ≥ 0.80); ` +
        `p99 ${mean(on, 'p99')} vs ${mean(floor, 'p99')} ms = ${(mean(on, 'p99') / Math.max(1, mean(floor, 'p99'))).toFixed(2)}× (goal ≤ 1.5×)`,
    );
    console.log(
      `limiter on/off /v1/me (mean of ${ROUNDS}): req/s ${mean(on, 'rps')} vs ${mean(off, 'rps')} ` +
        `(${(mean(on, 'rps') / mean(off, 'rps')).toFixed(2)}), p50 ${mean(on, 'p50')} vs ${mean(off, 'p50')} ms, ` +
        `p99 ${mean(on, 'p99')} vs ${mean(off, 'p99')} ms`,
    );
    const cpuMean = (list: Figures[]) =>
      Math.round(list.reduce((sum, row) => sum + (row.cpuMicros ?? 0), 0) / list.length);
    console.log(
      `server CPU per /v1/me (mean of ${ROUNDS}): ours ${cpuMean(on)} µs, same-work ${cpuMean(floor)} µs ` +
        `(${(cpuMean(floor) / Math.max(1, cpuMean(on))).toFixed(2)} of ours), ours without the limiter ${cpuMean(off)} µs`,
    );
    for (const line of calls) console.log(line);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await dropBenchDatabase(admin, database, env);
    await rm(scratch, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
