import { randomBytes } from 'node:crypto';

/** Where the tests find PostgreSQL and Redis: the default local ports unless told otherwise. */
export const TEST_PG_SERVER =
  process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function newRunId(): string {
  return `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export function databaseUrl(name: string): string {
  return `${TEST_PG_SERVER.replace(/\/$/, '')}/${name}`;
}

/** The environment every test app starts from; a suite overrides what it needs. */
export function baseTestEnv(): NodeJS.ProcessEnv {
  const database = process.env.JEWELSHOT_TEST_DATABASE_URL;
  const prefix = process.env.JEWELSHOT_TEST_REDIS_PREFIX;
  if (!database || !prefix || !process.env.JEWELSHOT_TEST_STORAGE_DIR)
    throw new Error('test/support/global-setup did not run');
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: database,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    JWT_SECRET: 'test-secret-0123456789-0123456789-abcdef',
    DB_POOL_SIZE: '5',
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '100000',
    SUBMIT_RATE_LIMIT_MAX: '100000',
    UPLOAD_RATE_LIMIT_MAX: '100000',
    UPLOAD_RATE_LIMIT_BYTES: String(100 * 1024 ** 3),
    CONCURRENCY_LIMIT_PER_USER: '1000',
    DOWNLOAD_CONCURRENCY_LIMIT: '1000',
    STORAGE_DIR: process.env.JEWELSHOT_TEST_STORAGE_DIR ?? '',
    // Mail sent by any suite's worker lands in the run's temp directory, never in the repository.
    OUTBOX_DIR: `${process.env.JEWELSHOT_TEST_STORAGE_DIR ?? ''}/outbox`,
    LOCAL_PROVIDER_LATENCY_MS: '20',
    JOB_BACKOFF_MS: '50',
    // A suite that tests the backup schedule turns it on with its own BACKUP_DIR.
    BACKUP_CRON: 'off',
    // Every suite's clients share 127.0.0.1: the abuse suites turn scoring on for themselves.
    ABUSE_SCORING: 'off',
    // A worker's reconciler judges a job lost when its own Redis prefix has no BullMQ job for
    // it: on the shared database it would take every other suite's queued and running jobs as
    // lost, run them in its own queue and put the running ones back to queued. Here it leaves
    // alone any job younger than an hour (no run lasts that long); the suites that test it lower
    // the grace on a database of their own.
    RECONCILE_GRACE_MS: String(60 * 60_000),
    // Suites break the ledger on purpose on the shared database; the schedule's own suite turns
    // it on, on a database of its own.
    LEDGER_VERIFY_INTERVAL_MS: '0',
  };
}

/** A Redis key prefix of a suite's own, so its queues and workers see no other suite's jobs. */
export function suitePrefix(name: string): string {
  return `${baseTestEnv().REDIS_KEY_PREFIX}${name}:${newRunId()}:`;
}
