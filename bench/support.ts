import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Client } from 'pg';

/** The PostgreSQL server the benchmarks make their throwaway databases on. */
export const BENCH_SERVER =
  process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

/** Polls `url` until it answers 2xx. */
export async function waitFor(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not come up`);
}

/** A new empty database for one run; `admin` stays connected to drop it at the end. */
export async function createBenchDatabase(): Promise<{ database: string; admin: Client }> {
  const database = `jewelshot_bench_${Date.now()}`;
  const admin = new Client({ connectionString: `${BENCH_SERVER}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  return { database, admin };
}

/** The environment of an API started for a benchmark: production mode, its own database and prefix, no rate limit. */
export function benchApiEnv(database: string, port: number, logLevel: string) {
  return {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? logLevel,
    DATABASE_URL: `${BENCH_SERVER}/${database}`,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `bench:${database}:`,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
    WEBHOOK_SECRET_KEY: 'bench-webhook-secret-key-0123456789-abcdef',
    EMAIL_TOKEN_SECRET: 'bench-email-secret-bench-email-secret-0123',
    APP_BASE_URL: 'http://127.0.0.1:5173',
    PORT: String(port),
    RATE_LIMIT_MAX: '100000000',
    AUTH_RATE_LIMIT_MAX: '100000000',
    SUBMIT_RATE_LIMIT_MAX: '100000000',
    UPLOAD_RATE_LIMIT_MAX: '100000000',
    UPLOAD_RATE_LIMIT_BYTES: String(2 ** 50),
    CONCURRENCY_LIMIT_PER_USER: '100000',
    DOWNLOAD_CONCURRENCY_LIMIT: '100000',
    SSE_MAX_OPEN_PER_USER: '100000',
  };
}

/** Drops the run's database and deletes its Redis keys (after the processes using them stopped). */
export async function dropBenchDatabase(
  admin: Client,
  database: string,
  env: { REDIS_URL: string; REDIS_KEY_PREFIX: string },
): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
  const redis = new Redis(env.REDIS_URL);
  const keys = await redis.keys(`${env.REDIS_KEY_PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

/** CPU seconds a process has used so far (Linux /proc; 0 elsewhere). */
export function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, the 12th and 13th fields after the command name, in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
