import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MinLength,
  Min,
  validateSync,
  Matches,
} from 'class-validator';

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/**
 * The process environment as the apps accept it. Every variable is listed in `.env.example`.
 * Defaults are the local-development ones; production refuses the default secret.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/jewelshot';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix for every Redis key the apps write, so several deployments or test runs share one Redis. */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]*$/, {
    message: 'REDIS_KEY_PREFIX may only contain letters, digits, ":", "_" and "-"',
  })
  REDIS_KEY_PREFIX = 'js:';

  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET = DEV_JWT_SECRET;

  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(86400)
  JWT_ACCESS_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(300)
  @Max(90 * 86400)
  JWT_REFRESH_TTL_SECONDS = 30 * 86400;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  /** Largest accepted request body (JSON) in bytes. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** Requests per client per window on the default throttler. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MAX = 300;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  RATE_LIMIT_WINDOW_MS = 60_000;

  /** Stricter limit for credential endpoints (register, login, refresh, password change). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTH_RATE_LIMIT_MAX = 20;

  /** How long the API may trust a cached user status (ban check). Must stay under 5 s. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(4000)
  USER_STATUS_CACHE_MS = 2000;

  /** Seconds the worker heartbeat key lives; /health calls the worker down once it lapses. */
  @Transform(toInt)
  @IsInt()
  @Min(3)
  WORKER_HEARTBEAT_TTL_SECONDS = 15;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(30_000)
  HEALTH_CHECK_TIMEOUT_MS = 1500;

  @Transform(toInt)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_HEALTH_PORT?: number;

  /** Credits granted to every new account, in the transaction that creates it. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  SIGNUP_CREDITS = 3;

  /** How long a credit hold may stay pending before the sweeper may expire it. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(7 * 86400)
  HOLD_TTL_SECONDS = 3600;

  /** How often the worker looks for expired holds. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  HOLD_SWEEP_INTERVAL_MS = 60_000;

  // --- Domain events (transactional outbox, docs/events.md) ----------------------------------

  /** How often the worker looks for committed events to dispatch. */
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

  // --- AI jobs, files and providers ---------------------------------------------------------

  /** Where the API is reached from outside; signed file URLs are built on it. */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  @IsIn(['local', 's3'])
  STORAGE_DRIVER: 'local' | 's3' = 'local';

  /** Folder of the local storage driver (relative paths are from the working directory). */
  @IsString()
  STORAGE_DIR = 'var/storage';

  @IsOptional() @IsString() S3_BUCKET?: string;
  @IsOptional() @IsString() S3_REGION?: string;
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'S3_ENDPOINT must be an http(s) URL' })
  S3_ENDPOINT?: string;
  @IsOptional() @IsString() S3_ACCESS_KEY_ID?: string;
  @IsOptional() @IsString() S3_SECRET_ACCESS_KEY?: string;
  @IsOptional() @IsIn(['true', 'false']) S3_FORCE_PATH_STYLE?: 'true' | 'false';

  /** Lifetime of a signed file URL. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(7 * 86400)
  FILE_URL_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(200 * 1024 * 1024)
  UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

  /** Longest side of a stored upload; larger images are scaled down. */
  @Transform(toInt)
  @IsInt()
  @Min(64)
  @Max(16384)
  UPLOAD_MAX_SIDE = 2048;

  /** `fal` when FAL_KEY is set, else the embedded `local` provider. */
  @IsOptional()
  @IsIn(['local', 'fal'])
  AI_PROVIDER?: 'local' | 'fal';

  @IsOptional() @IsString() FAL_KEY?: string;
  /** Replaces https://queue.fal.run (a proxy, or the fake used by the tests). */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'FAL_QUEUE_BASE_URL must be an http(s) URL' })
  FAL_QUEUE_BASE_URL?: string;
  @IsString() FAL_MODEL_GENERATE = 'fal-ai/flux/dev';
  @IsString() FAL_MODEL_EDIT = 'fal-ai/flux/dev/image-to-image';
  @IsString() FAL_MODEL_REMOVE_BACKGROUND = 'fal-ai/birefnet';
  @IsString() FAL_MODEL_UPSCALE = 'fal-ai/clarity-upscaler';
  /** How often the fal provider polls a request's status. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  FAL_POLL_INTERVAL_MS = 1000;

  /** Every provider call (and output download) is cancelled past this. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  PROVIDER_TIMEOUT_MS = 120_000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  LOCAL_PROVIDER_LATENCY_MS = 1500;

  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
  )
  @Min(0)
  @Max(1)
  LOCAL_PROVIDER_FAILURE_RATE = 0;

  /** AI jobs one worker process runs at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  WORKER_CONCURRENCY = 4;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  JOB_ATTEMPTS = 3;

  /** First retry delay; doubles each attempt. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  JOB_BACKOFF_MS = 2000;

  /** How long a worker's lock on a job lasts without renewal: a dead worker's jobs are taken over after it. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  JOB_LOCK_MS = 30_000;

  /** A job `running` longer than this is failed and refunded by the reconciler. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  JOB_RUNNING_DEADLINE_MS = 15 * 60_000;

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

  // --- durable cancel and the maintenance schedule (safety net) -------------------------------

  /**
   * How often the worker re-reads a running job's row while its provider works: a cancel is a
   * database fact, so the worker notices it even when the Redis pub/sub hint is lost.
   */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  JOB_CANCEL_POLL_MS = 1000;

  /** How often the worker deletes stored bytes with no file row (orphans older than a day). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  ORPHAN_SWEEP_INTERVAL_MS = 3_600_000;

  // --- Edges: outages, rate limits per caller, login lockout ---------------------------------

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
   * Comma-separated CIDRs (or addresses) of the reverse proxies whose X-Forwarded-For we
   * believe. Empty: nobody's, so a client cannot pick its own rate-limit bucket.
   */
  @IsString()
  @Matches(/^[0-9A-Fa-f.:/,\s]*$/, {
    message: 'TRUSTED_PROXIES must be comma-separated IP addresses or CIDRs',
  })
  TRUSTED_PROXIES = '';

  /**
   * Failed logins for one email (from any address) within 15 minutes before that email's login
   * is locked for 15 minutes: a distributed guesser gets 10 tries, not 10 per address.

  // --- HTTP hardening: one client cannot stall the API -------------------------------------

  /** Body limit of the credential routes (/v1/auth/*): they take an email and a password, so a megabyte there is an attack. */
  @Transform(toInt)
  @IsInt()
  @Min(512)
  @Max(1024 * 1024)
  AUTH_BODY_LIMIT_BYTES = 4096;

  /** Deepest nesting of a JSON body; checked before JSON.parse so a 10,000-deep body never recurses. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(256)
  JSON_MAX_DEPTH = 32;

  /** Most members of one JSON object or array: 90,000 unknown fields are refused while parsing, not validated one by one. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(100_000)
  JSON_MAX_KEYS = 1000;

  /** Longest string (in characters) anywhere in a JSON body. */
  @Transform(toInt)
  @IsInt()
  @Min(256)
  @Max(10 * 1024 * 1024)
  JSON_MAX_STRING_LENGTH = 65_536;

  /** Whole request (headers and body) must arrive within this (the old system asked for 30 s); 0 turns it off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** Headers must arrive within this; a client trickling header bytes is cut off. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  /** A socket with no traffic either way for this long is closed (a stalled download, an idle half-open client). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  HTTP_IDLE_TIMEOUT_MS = 30_000;

  /** How long a kept-alive connection may wait for its next request. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 5_000;

  /** Open connections one client address may hold on one API instance; beyond it new ones are closed at once. Behind a proxy every client shares its address: size it for that. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  HTTP_MAX_CONNECTIONS_PER_ADDRESS = 256;

  // --- CPU-heavy work: bounded, off the event loop, never starving the thread pool ----------

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

  /**
   * Password hashes (argon2) running at once per process; more wait in line. Each hash keeps
   * about 4 threads busy (p=4), so 1 suits a 2-CPU host (2 gave 1.2 s downloads under 64 logins,
   * 1 gave 0.25 s); raise it with the CPUs. Must stay below UV_THREADPOOL_SIZE.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  LOGIN_MAX_FAILURES = 10;

  PASSWORD_HASH_CONCURRENCY = 1;

  /** Password hashes that may wait; past that a login or sign-up is 503 with Retry-After, not queued forever. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  PASSWORD_HASH_QUEUE = 32;

  /** Image decodes/encodes (sharp) running at once per process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  IMAGE_CONCURRENCY = 1;

  /** Image operations that may wait; past that an upload is 503 with Retry-After. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  IMAGE_QUEUE = 16;

  /** Largest image we decode, in pixels (width × height, at most 50 MP): a bigger one is 413 from its header alone. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50_000_000)
  IMAGE_MAX_PIXELS = 50_000_000;

  /** Bytes one user may keep in stored files (uploads and outputs); an upload past it is 413. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  STORAGE_QUOTA_BYTES = 1024 * 1024 * 1024;
}

export type AppConfig = Readonly<Omit<EnvironmentVariables, never>>;

/** The AI provider in use: explicit AI_PROVIDER, else fal when a key is set, else local. */
export function aiProviderOf(config: AppConfig): 'local' | 'fal' {
  return config.AI_PROVIDER ?? (config.FAL_KEY ? 'fal' : 'local');
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the environment once. Throws ConfigError naming every bad variable;
 * callers at process start print it and exit.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new EnvironmentVariables());
  const raw: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const problems: string[] = [];
  for (const error of validateSync(config, { forbidUnknownValues: true })) {
    const messages = Object.values(error.constraints ?? {});
    problems.push(`${error.property}: ${messages.join(', ') || 'invalid'}`);
  }
  if (config.NODE_ENV === 'production') {
    for (const key of ['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL'] as const) {
      if (raw[key] === undefined) problems.push(`${key}: must be set explicitly in production`);
    }
    if (config.JWT_SECRET === DEV_JWT_SECRET) {
      problems.push('JWT_SECRET: the development default is refused in production');
    }
  }
  if (config.STORAGE_DRIVER === 's3') {
    for (const key of ['S3_BUCKET', 'S3_REGION'] as const)
      if (!raw[key]) problems.push(`${key}: required when STORAGE_DRIVER=s3`);
  }
  if (config.AI_PROVIDER === 'fal' && !raw.FAL_KEY)
    problems.push('FAL_KEY: required when AI_PROVIDER=fal');
  if (config.PASSWORD_HASH_CONCURRENCY + config.IMAGE_CONCURRENCY >= config.UV_THREADPOOL_SIZE) {
    problems.push(
      'UV_THREADPOOL_SIZE: must exceed PASSWORD_HASH_CONCURRENCY + IMAGE_CONCURRENCY, so file reads always find a free thread',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** Loads the config or ends the process with a message naming each bad variable. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
