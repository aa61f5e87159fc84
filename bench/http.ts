/**
 * npm run bench:http — autocannon, 10 s at 50 connections, against GET /health/live and an
 * authenticated GET /v1/me on the real API (production mode, its own throwaway database), and
 * against a bare Fastify server answering the same JSON. Prints req/s, p50 and p99 for each
 * and our/bare ratios. Figures, not assertions.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { repoRoot } from '@jewelshot/platform';
import { benchApiEnv, createBenchDatabase, dropBenchDatabase, waitFor } from './support';

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const API_PORT = 38181;
const BARE_PORT = 38182;

interface Figures {
  target: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function load(
  target: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<Figures> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers });
  return {
    target,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

async function main(): Promise<void> {
  const root = repoRoot();
  const { database, admin } = await createBenchDatabase();
  const env = benchApiEnv(database, API_PORT, 'info');
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
    const api = spawn(process.execPath, [join(root, 'dist', 'apps', 'api', 'src', 'main.js')], {
      env,
      stdio: 'ignore',
    });
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

    const bare = spawn(process.execPath, [join(root, 'bench', 'bare-server.mjs')], {
      env: { ...process.env, PORT: String(BARE_PORT), BARE_ME_BODY: meBody },
      stdio: 'ignore',
    });
    children.push(bare);
    await waitFor(`http://127.0.0.1:${BARE_PORT}/health/live`);

    const rows: Figures[] = [];
    rows.push(await load('ours GET /health/live', `http://127.0.0.1:${API_PORT}/health/live`));
    rows.push(await load('bare GET /health/live', `http://127.0.0.1:${BARE_PORT}/health/live`));
    rows.push(await load('ours GET /v1/me (JWT)', `http://127.0.0.1:${API_PORT}/v1/me`, auth));
    rows.push(await load('bare GET /v1/me', `http://127.0.0.1:${BARE_PORT}/v1/me`));

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log(
      `\nbench:http — ${DURATION}s × ${CONNECTIONS} connections, Node ${process.version}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    );
    console.log('target                     req/s    p50 ms  p99 ms  non-2xx');
    for (const row of rows) {
      console.log(
        `${row.target.padEnd(26)} ${String(row.rps).padStart(6)}  ${String(row.p50).padStart(6)}  ${String(row.p99).padStart(6)}  ${row.non2xx}`,
      );
    }
    const ratio = (a: Figures | undefined, b: Figures | undefined) =>
      a && b ? (a.rps / b.rps).toFixed(2) : 'n/a';
    console.log(
      `ratio ours/bare req/s: /health/live ${ratio(rows[0], rows[1])}, /v1/me ${ratio(rows[2], rows[3])}`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await dropBenchDatabase(admin, database, env);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
