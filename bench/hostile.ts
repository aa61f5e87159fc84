/**
 * npm run bench:hostile — what one hostile client costs everyone else. Starts the real API
 * (production mode, its own throwaway database) and measures:
 *  1. the server time (Fastify's elapsed time, reported by an onResponse hook) to answer a 1 MB
 *     JSON body of 90,000 unknown fields on an authenticated POST /v1/ai/jobs;
 *  2. GET /health/live latency (p50/p99/max) measured by a prober every 20 ms, first idle, then
 *     while one client (a worker thread, so it does not share the prober's event loop) loops
 *     such bodies for BENCH_DURATION_SECONDS (10 s).
 * Figures, not assertions.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { repoRoot } from '@jewelshot/platform';
import {
  benchApiEnv,
  createBenchDatabase,
  dropBenchDatabase,
  percentile,
  waitFor,
} from './support';

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const API_PORT = 38191;
const BASE = `http://127.0.0.1:${API_PORT}`;

interface ServerTiming {
  url: string;
  status: number;
  ms: number;
}

/** A JSON object of `count` unknown fields: `{"f00000":0,"f00001":0,...}` (~11 bytes each). */
export function hostileBody(count = 90_000): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i += 1) parts.push(`"f${String(i).padStart(5, '0')}":0`);
  return `{${parts.join(',')}}`;
}

const fmt = (n: number): string => n.toFixed(1).padStart(7);

/** Probes /health/live every 20 ms until `stop()` resolves; returns client-side latencies. */
async function probe(stopAfterMs: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = Date.now() + stopAfterMs;
  while (Date.now() < until) {
    const started = performance.now();
    await (await fetch(`${BASE}/health/live`)).arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return latencies;
}

// The attacker: its own thread and event loop, sending the body back to back until told to stop.
const ATTACKER = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
let sent = 0;
const statuses = {};
parentPort.on('message', () => { stop = true; });
(async () => {
  const until = Date.now() + workerData.maxMs;
  while (!stop && Date.now() < until) {
    const res = await fetch(workerData.url, { method: 'POST', headers: workerData.headers, body: workerData.body });
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] || 0) + 1;
    sent += 1;
  }
  parentPort.postMessage({ sent, statuses });
})();
`;

async function main(): Promise<void> {
  const root = repoRoot();
  const { database, admin } = await createBenchDatabase();
  // Its mail (the sign-up's verify message) and files go to a temp dir of its own.
  const scratch = await mkdtemp(join(tmpdir(), 'jewelshot-bench-hostile-'));
  const env = benchApiEnv(database, API_PORT, 'warn', scratch);
  let api: ChildProcess | undefined;
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
    const timings: ServerTiming[] = [];
    api = fork(join(root, 'dist', 'bench', 'hostile-server.js'), [], {
      env,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    api.on('message', (message: ServerTiming) => timings.push(message));
    await waitFor(`${BASE}/health/live`);

    const registered = await fetch(`${BASE}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'hostile@example.test', password: 'bench-password-123' }),
    });
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const body = hostileBody();

    // 1. One body at a time: server time and response size.
    const single: number[] = [];
    let status = 0;
    let responseBytes = 0;
    for (let i = 0; i < 10; i += 1) {
      const before = timings.length;
      const res = await fetch(`${BASE}/v1/ai/jobs`, { method: 'POST', headers, body });
      responseBytes = (await res.arrayBuffer()).byteLength;
      status = res.status;
      while (timings.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
      const timing = timings[timings.length - 1];
      if (timing) single.push(timing.ms);
    }

    // 2. /health/live idle, then under attack.
    const idle = await probe(3000);
    const attacker = new Worker(ATTACKER, {
      eval: true,
      workerData: { url: `${BASE}/v1/ai/jobs`, headers, body, maxMs: DURATION * 1000 + 5000 },
    });
    const attackDone = new Promise<{ sent: number; statuses: Record<string, number> }>((resolve) =>
      attacker.once('message', resolve),
    );
    const firstAttack = timings.length;
    const underAttack = await probe(DURATION * 1000);
    attacker.postMessage('stop');
    const attack = await attackDone;
    await attacker.terminate();
    const attackTimings = timings.slice(firstAttack).map((t) => t.ms);

    console.log(
      `\nbench:hostile — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
    );
    console.log(
      `90,000 unknown fields (${(body.length / 1e6).toFixed(2)} MB) on POST /v1/ai/jobs: status ${status}, response ${responseBytes} bytes`,
    );
    console.log(
      `  server time, 10 sequential:  p50 ${fmt(percentile(single, 50))} ms  max ${fmt(Math.max(...single))} ms`,
    );
    console.log(
      `  server time, under the loop: p50 ${fmt(percentile(attackTimings, 50))} ms  p99 ${fmt(percentile(attackTimings, 99))} ms  (${attack.sent} bodies in ${DURATION}s, statuses ${JSON.stringify(attack.statuses)})`,
    );
    console.log('GET /health/live, client latency (probe every 20 ms):');
    console.log(
      `  idle:          p50 ${fmt(percentile(idle, 50))} ms  p99 ${fmt(percentile(idle, 99))} ms  max ${fmt(Math.max(...idle))} ms  (${idle.length} probes)`,
    );
    console.log(
      `  under attack:  p50 ${fmt(percentile(underAttack, 50))} ms  p99 ${fmt(percentile(underAttack, 99))} ms  max ${fmt(Math.max(...underAttack))} ms  (${underAttack.length} probes)`,
    );
  } finally {
    api?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await dropBenchDatabase(admin, database, env);
    await rm(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
