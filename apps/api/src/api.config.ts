import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import {
  defineConfig,
  loadConfig,
  loadConfigOrExit,
  toInt,
  type ConfigOf,
  type ShutdownDeadline,
} from '@jewelshot/platform';
import { aiJobsConfig, threadPoolCheck } from '@jewelshot/ai-jobs';
import { adminConfig } from '@jewelshot/admin';
import { auditConfig } from '@jewelshot/audit';
import { abuseConfig } from '@jewelshot/abuse';
import { creditLedgerConfig } from '@jewelshot/credit-ledger';
import { emailConfig } from '@jewelshot/email';
import { identityConfig } from '@jewelshot/identity';
import { webhooksConfig } from '@jewelshot/webhooks';

/** The API's own variables: its listen port, body limits, rate limits and HTTP timeouts. */
class ApiVariables {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** Largest accepted request body (JSON) in bytes. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(50 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** Body limit of the credential routes (/v1/auth/*): they take an email and a password, so a megabyte there is an attack. */
  @Transform(toInt)
  @IsInt()
  @Min(512)
  @Max(1024 * 1024)
  AUTH_BODY_LIMIT_BYTES = 4096;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(200 * 1024 * 1024)
  UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

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

  /**
   * Most members and elements of a whole JSON body, every object and array together: 90
   * objects of 1,000 fields each are refused before they are parsed, not copied and validated.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  JSON_MAX_MEMBERS = 10_000;

  /** Longest string (in characters) anywhere in a JSON body. */
  @Transform(toInt)
  @IsInt()
  @Min(256)
  @Max(10 * 1024 * 1024)
  JSON_MAX_STRING_LENGTH = 65_536;

  /**
   * `false` turns every rate and concurrency limit off (no limit headers either): for
   * benchmarks measuring the limiter's cost, never for production.
   */
  @IsIn(['true', 'false'])
  RATE_LIMIT_ENABLED: 'true' | 'false' = 'true';

  /** Policy `default`: requests per caller per window, on every route without another policy. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MAX = 300;

  /** The window of the `default`, `auth` and `submit` policies. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  RATE_LIMIT_WINDOW_MS = 60_000;

  /** Policy `auth`: stricter limit for credential endpoints (register, login, refresh, password change). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AUTH_RATE_LIMIT_MAX = 20;

  /** Policy `submit`: job and batch submits per caller per window (credits bound them too). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SUBMIT_RATE_LIMIT_MAX = 30;

  /** Policy `uploads`: uploads per caller per UPLOAD_RATE_LIMIT_WINDOW_MS. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  UPLOAD_RATE_LIMIT_MAX = 100;

  /** Policy `upload-bytes`: bytes uploaded (by Content-Length) per caller per UPLOAD_RATE_LIMIT_WINDOW_MS. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  UPLOAD_RATE_LIMIT_BYTES = 1024 * 1024 * 1024;

  /** The window of the two upload policies (an hour). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  UPLOAD_RATE_LIMIT_WINDOW_MS = 3_600_000;

  /** Policy `expensive`: requests in flight at once per caller on job/batch submits and uploads, across API processes. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  CONCURRENCY_LIMIT_PER_USER = 4;

  /** Policy `downloads`: file downloads in flight at once per caller (a signed URL without a token: per address). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  DOWNLOAD_CONCURRENCY_LIMIT = 16;

  /** Policy `sse`: job event streams open at once per caller, across API processes. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SSE_MAX_OPEN_PER_USER = 10;

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
   * Origins (scheme://host[:port], comma-separated) of an SPA hosted elsewhere. Only these get
   * CORS headers (with credentials); empty means same-origin only, no CORS headers at all.
   */
  @IsString()
  @Matches(/^(\s*https?:\/\/[^/\s,]+\s*)?(,\s*https?:\/\/[^/\s,]+\s*)*$/, {
    message: 'CORS_ORIGINS must be comma-separated origins like https://app.example.com',
  })
  CORS_ORIGINS = '';

  /** The built SPA the API serves at `/` (empty: apps/web/dist in the repository). */
  @IsString()
  WEB_DIST_DIR = '';

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

  /**
   * How long a read (GET, from its arrival) or a job's or batch's submit (once its body is read)
   * may wait for its answer on a database that hangs (the caller's status read, the route's own
   * work): past it the client is answered 503. A submit then starts nothing more and never
   * commits (a database that hung and wakes later rolls it back). Other writes, streams,
   * downloads and the table-walking reads have none (request-deadline.ts says why). Below
   * HTTP_IDLE_TIMEOUT_MS, so the answer arrives.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  REQUEST_DEADLINE_MS = 15_000;

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

  /**
   * How long a stopping API (SIGTERM, SIGINT) may take: its requests in flight are answered and
   * its connections close within it, or it exits anyway (code 1). A close can otherwise wait
   * forever on a Redis that is hung. Longer than HTTP_REQUEST_TIMEOUT_MS, so a request that
   * arrived in time is answered.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  API_SHUTDOWN_TIMEOUT_MS = 60_000;
}

const apiConfig = defineConfig({
  name: 'api',
  variables: ApiVariables,
  renamed: { SUBMIT_DEADLINE_MS: 'REQUEST_DEADLINE_MS (it times reads too)' },
});

/** Every section the API runs with; a new lib's section is added here (and to the worker's). */
export const API_CONFIG_SECTIONS = [
  auditConfig,
  emailConfig,
  webhooksConfig,
  identityConfig,
  creditLedgerConfig,
  aiJobsConfig,
  abuseConfig,
  adminConfig,
  apiConfig,
] as const;

export type ApiConfig = ConfigOf<typeof API_CONFIG_SECTIONS>;

export const API_CONFIG = apiConfig.token;

/** A request's deadline must come before the idle timeout closes its connection unanswered. */
function requestDeadlineCheck(
  config: Pick<ApiConfig, 'REQUEST_DEADLINE_MS' | 'HTTP_IDLE_TIMEOUT_MS'>,
): string[] {
  return config.REQUEST_DEADLINE_MS < config.HTTP_IDLE_TIMEOUT_MS
    ? []
    : ['REQUEST_DEADLINE_MS: must be below HTTP_IDLE_TIMEOUT_MS, so the client is answered'];
}

export const API_CONFIG_CHECKS = [threadPoolCheck, requestDeadlineCheck];

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return loadConfig(API_CONFIG_SECTIONS, env, API_CONFIG_CHECKS);
}

export function loadApiConfigOrExit(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return loadConfigOrExit(API_CONFIG_SECTIONS, env, API_CONFIG_CHECKS);
}

/** How a stopping API ends when its graceful stop hangs (main.ts). */
export function apiShutdownDeadline(config: ApiConfig): ShutdownDeadline {
  return {
    who: 'API',
    variable: 'API_SHUTDOWN_TIMEOUT_MS',
    ms: config.API_SHUTDOWN_TIMEOUT_MS,
    consequence:
      'requests still in flight are cut off, and a job it accepted but had not enqueued is enqueued by the reconciler',
  };
}
