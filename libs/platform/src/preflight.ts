import { Client } from 'pg';
import { Redis, ReplyError } from 'ioredis';
import type { PlatformConfig } from './config/platform.config';

const PG_HINT = 'start it with: pg_ctlcluster <version> main start (or your service manager)';
const REDIS_HINT = 'start it with: redis-server --daemonize yes, or set REDIS_URL';

function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || (parsed.protocol.startsWith('redis') ? '6379' : '5432')}`;
  } catch {
    return 'the configured address';
  }
}

/** An error PostgreSQL itself sent (an ErrorResponse: a severity and a five-character SQLSTATE). */
function isPostgresServerError(error: unknown): error is Error {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return (
    error instanceof Error &&
    typeof severity === 'string' &&
    typeof code === 'string' &&
    /^[0-9A-Z]{5}$/.test(code)
  );
}

/**
 * The server's message on one line, with the URL's password (and user info) taken out wherever
 * it appears: the line goes to a terminal and to logs.
 */
function serverMessage(error: Error, url: string): string {
  let message = error.message.replace(/\p{Cc}+/gu, ' ').trim();
  try {
    const parsed = new URL(url);
    for (const secret of [parsed.password, safeDecode(parsed.password)])
      if (secret) message = message.split(secret).join('***');
  } catch {
    // not a URL: nothing of it to hide
  }
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Null when PostgreSQL answers and has the database; with `databaseMayBeMissing` (migrate,
 * which creates it), when it answers at all.
 */
export async function checkPostgres(
  url: string,
  timeoutMs = 3000,
  {
    databaseMayBeMissing = false,
    /** Where the URL came from, for the advice: `DATABASE_URL`, or restore's `--to`. */
    urlName = 'DATABASE_URL',
  } = {},
): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // The database does not exist: the server answered.
    if (code === '3D000' && databaseMayBeMissing) return null;
    if (code === '3D000' && isPostgresServerError(error))
      return `PostgreSQL at ${where(url)} answered but refused: ${serverMessage(error, url)}; create it (npm run migrate does, outside production), or check ${urlName}`;
    // Any other SQLSTATE is the server's own answer (a role that does not exist, a wrong
    // password, too many connections): it is up, and starting it again would not help.
    if (isPostgresServerError(error))
      return `PostgreSQL at ${where(url)} answered but refused: ${serverMessage(error, url)}; check ${urlName}`;
    return `PostgreSQL is not answering at ${where(url)}: ${PG_HINT}, or set ${urlName}`;
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
  // A refused AUTH or ready check comes as an 'error' event; connect() then only says the
  // connection closed.
  let replied: Error | undefined;
  client.on('error', (error: unknown) => {
    if (error instanceof ReplyError) replied = error as Error;
  });
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    // A reply (NOAUTH, WRONGPASS, a LOADING server…) is the server's own answer.
    const reply = error instanceof ReplyError ? (error as Error) : replied;
    if (reply)
      return `Redis at ${where(url)} answered but refused: ${serverMessage(reply, url)}; check REDIS_URL`;
    return `Redis is not answering at ${where(url)}: ${REDIS_HINT}`;
  } finally {
    client.disconnect();
  }
}

/**
 * Before a start command does anything: if PostgreSQL or Redis does not answer, print one line
 * saying which and how to start it, and exit 2 (a command that could not run; 1 is what a check
 * such as ledger:verify found); if one answers but refuses (a wrong password or user, no such
 * database), print the server's own reason instead.
 */
export async function preflightOrExit(
  config: PlatformConfig,
  needs: { redis: boolean; databaseMayBeMissing?: boolean; urlName?: string } = { redis: true },
): Promise<void> {
  const problems = (
    await Promise.all([
      checkPostgres(config.DATABASE_URL, undefined, {
        databaseMayBeMissing: needs.databaseMayBeMissing,
        urlName: needs.urlName,
      }),
      needs.redis ? checkRedis(config.REDIS_URL) : null,
    ])
  ).filter((problem): problem is string => problem !== null);
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    process.exit(2);
  }
}
