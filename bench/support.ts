import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Inherited variables that could make a bench's processes reach beyond this machine, or write
 * outside the bench's own places: real mail (RESEND_*), the real AI provider (FAL_*), S3 and
 * the AWS SDK's own variables, trace export, backups and their schedule, audit anchors,
 * webhook targets on private networks. None is passed on; what a bench needs it sets itself.
 */
const NEVER_INHERITED = [
  /^RESEND_/,
  /^FAL_/,
  /^S3_/,
  /^AWS_/,
  /^OTEL_/,
  /^BACKUP_/,
  /^AUDIT_ANCHOR_DIR$/,
  /^WEBHOOK_ALLOW_PRIVATE$/,
  /^CORS_ORIGINS$/,
  /^TRUSTED_PROXIES$/,
  /^METRICS_TOKEN$/,
  /^OUTBOX_DIR$/,
  /^STORAGE_DIR$/,
  /^WEB_DIST_DIR$/,
];

/**
 * The inherited environment without NEVER_INHERITED, for any process a bench starts: the
 * machine's settings (PATH, the locale, the BENCH_* knobs) stay, the outside world goes.
 */
export function benchBaseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !NEVER_INHERITED.some((re) => re.test(name))),
  );
}

/**
 * Secrets of this run only: the benches turn every rate limit off, so nothing they start may be
 * reachable with a secret anyone could read in this file.
 */
const RUN_SECRETS = {
  JWT_SECRET: randomBytes(32).toString('hex'),
  WEBHOOK_SECRET_KEY: randomBytes(32).toString('hex'),
  EMAIL_TOKEN_SECRET: randomBytes(32).toString('hex'),
  AUDIT_CHAIN_KEY: randomBytes(32).toString('hex'),
};

/**
 * The environment of an API (or worker) started for a benchmark: production mode, its own
 * database and prefix, no rate limit, so loopback only (HOST), this run's secrets, mail to an
 * outbox, the local AI provider and local storage, no trace export, no backup schedule.
 * `scratch` (the bench's temp dir) holds its outbox and stored files; without one they go to
 * var/ (not in git). A bench overrides any of it after the spread.
 */
export function benchApiEnv(database: string, port: number, logLevel: string, scratch?: string) {
  return {
    ...benchBaseEnv(),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? logLevel,
    DATABASE_URL: `${BENCH_SERVER}/${database}`,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `bench:${database}:`,
    ...RUN_SECRETS,
    APP_BASE_URL: 'http://127.0.0.1:5173',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    EMAIL_DRIVER: 'outbox',
    OUTBOX_DIR: scratch ? join(scratch, 'outbox') : 'var/outbox',
    AI_PROVIDER: 'local',
    STORAGE_DRIVER: 'local',
    STORAGE_DIR: scratch ? join(scratch, 'storage') : 'var/storage',
    BACKUP_CRON: 'off',
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

/** The p-th percentile (0–100) of unsorted values, nearest rank below; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
