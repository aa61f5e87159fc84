import { Client } from 'pg';
import { Redis } from 'ioredis';
import type { PlatformConfig } from './config/platform.config';

const PG_HINT =
  'start it with: pg_ctlcluster <version> main start (or your service manager), or set DATABASE_URL';
const REDIS_HINT = 'start it with: redis-server --daemonize yes, or set REDIS_URL';

function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || (parsed.protocol.startsWith('redis') ? '6379' : '5432')}`;
  } catch {
    return 'the configured address';
  }
}

/** Null when PostgreSQL answers at the server level (the database itself may not exist yet). */
export async function checkPostgres(url: string, timeoutMs = 3000): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '3D000') return null; // database does not exist: the server answered
    return `PostgreSQL is not answering at ${where(url)}: ${PG_HINT}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(url: string, timeoutMs = 3000): Promise<string | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch {
    return `Redis is not answering at ${where(url)}: ${REDIS_HINT}`;
  } finally {
    client.disconnect();
  }
}

/**
 * Before a start command does anything: if PostgreSQL or Redis does not answer, print one line
 * saying which and how to start it, and exit non-zero.
 */
export async function preflightOrExit(
  config: PlatformConfig,
  needs: { redis: boolean } = { redis: true },
): Promise<void> {
  const problems = (
    await Promise.all([
      checkPostgres(config.DATABASE_URL),
      needs.redis ? checkRedis(config.REDIS_URL) : null,
    ])
  ).filter((problem): problem is string => problem !== null);
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    process.exit(1);
  }
}
