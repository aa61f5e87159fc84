import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { toInt } from './to-int';

/**
 * Platform's variables: the process, PostgreSQL, Redis, logging, health and the safety-net
 * schedule, the domain-event outbox. Nothing of any domain lives here; each lib declares its own section.
 */
export class PlatformVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsString()
  HOST = '0.0.0.0';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/jewelshot';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /** How long a query may wait for a free pool connection (or a new one) before it fails. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DB_CONNECT_TIMEOUT_MS = 5000;

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix for every Redis key the apps write, so several deployments or test runs share one Redis. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]*$/, {
    message: 'REDIS_KEY_PREFIX may only contain letters, digits, ":", "_" and "-"',
  })
  REDIS_KEY_PREFIX = 'js:';

  /**
   * Every command of the shared Redis clients fails after this long. Without it a Redis that
   * accepts connections but never answers would hold every request that asks it something
   * (the rate limiter fails open only once the command fails).
   */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60_000)
  REDIS_COMMAND_TIMEOUT_MS = 200;

  /**
   * Finished jobs each BullMQ queue keeps in Redis, completed and failed apart, besides each
   * queue's age limit: for the admin's view and to ignore a job id added again soon after. A
   * finished job is about 1.2 KB of Redis memory; kept by age alone (a week for event
   * deliveries, webhooks and email) they grew with traffic, several GB at 100,000 jobs a day.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  QUEUE_KEEP_FINISHED = 10_000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(30_000)
  HEALTH_CHECK_TIMEOUT_MS = 1500;

  /** How often the reconciler re-enqueues lost jobs and fails stuck ones. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  RECONCILE_INTERVAL_MS = 60_000;

  /** Queued jobs younger than this are left to the normal enqueue path by the reconciler. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RECONCILE_GRACE_MS = 10_000;

  /**
   * libuv's thread pool size, read by Node when the pool first starts: the start script and the
   * Dockerfile set it in the environment before the process starts (setting it later does nothing).
   * Declared here so its value is validated against the work bounds below.
   */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(1024)
  UV_THREADPOOL_SIZE = 4;

  // --- Observability (docs/observability.md) -----------------------------------------------

  /**
   * Bearer token `/metrics` asks for (API and worker). Unset: `/metrics` is open outside
   * production and off (404) in production. White space anywhere is refused, not trimmed: a
   * Bearer token cannot carry it (the client's is trimmed before it is compared), so a token
   * read from a file with its trailing newline could never match, and 16 spaces are no secret.
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  @Matches(/^\S*$/, {
    message:
      'METRICS_TOKEN must not contain white space (a secret file ending in a newline?): a Bearer token cannot carry it, so it could never match',
  })
  METRICS_TOKEN?: string;

  /**
   * OTLP/HTTP endpoint traces are exported to (e.g. http://127.0.0.1:4318). Unset: no tracing
   * SDK is started at all. Read by the tracing bootstrap before anything else loads
   * (libs/platform/src/tracing/start-tracing.ts); validated here like every variable.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  // --- Domain events (the transactional outbox, docs/events.md) ---------------------------

  /** How often the worker looks for committed events to dispatch (besides being notified of them). */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  EVENTS_POLL_MS = 1000;

  /** Dispatched events (and their delivery jobs) are deleted after this many days. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  EVENTS_KEEP_DAYS = 7;

  /** First retry delay of a failed after-commit delivery (doubles on each attempt). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  EVENTS_BACKOFF_MS = 5000;

  /** A dead worker's event deliveries are taken over after this (ms). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  EVENTS_LOCK_MS = 30_000;

  /** After-commit deliveries one worker runs at a time (the `events` queue). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  EVENTS_CONCURRENCY = 20;
}
