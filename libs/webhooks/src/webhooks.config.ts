import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import {
  defineConfig,
  productionSecretProblems,
  toInt,
  type PlatformConfig,
} from '@jewelshot/platform';

const DEV_WEBHOOK_SECRET_KEY = 'dev-only-webhook-secret-key-change-me-0123';

/** The Standard Webhooks retry schedule: waits after the 1st, 2nd, ... failed attempt. */
const STANDARD_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `5s,5m,30m` → [5000, 300000, 1800000]; null when a part is not `<number><ms|s|m|h>`. */
export function parseSchedule(value: string): number[] | null {
  const parts = value.split(',').map((part) => part.trim());
  const waits: number[] = [];
  for (const part of parts) {
    const match = /^(\d+)(ms|s|m|h)$/.exec(part);
    if (!match) return null;
    waits.push(Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1));
  }
  return waits;
}

/** Webhooks' variables: the SSRF policy, the delivery timeout and retries, limits, the secret key. */
export class WebhooksVariables {
  /**
   * `true` lets endpoints use http:// and private, loopback or link-local addresses (local
   * development only). Off, a URL must be https and resolve to public addresses only, checked at
   * creation and again at each delivery. Default: on in development and test, off elsewhere.
   */
  @IsIn(['true', 'false', ''])
  WEBHOOK_ALLOW_PRIVATE: 'true' | 'false' | '' = '';

  /** One delivery's whole time (connect, send, answer) before it counts as failed. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /** Waits between attempts, comma-separated (`5s,5m,30m,2h,5h,10h,10h`: Standard Webhooks'). */
  @IsString()
  @Matches(/^\s*\d+(ms|s|m|h)\s*(,\s*\d+(ms|s|m|h)\s*)*$/, {
    message: 'WEBHOOK_RETRY_SCHEDULE must be like 5s,5m,30m,2h',
  })
  WEBHOOK_RETRY_SCHEDULE = STANDARD_SCHEDULE;

  /** An endpoint whose deliveries have all failed for this long is disabled and its owner mailed. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WEBHOOK_DISABLE_AFTER_HOURS = 120;

  /** Recorded events and delivery attempts are deleted after this many days (≥ 2: retries span ~28 h). */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  WEBHOOK_KEEP_DAYS = 30;

  /** Endpoints one user may have. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_MAX_ENDPOINTS = 10;

  /** Deliveries sent at once by one worker. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_CONCURRENCY = 20;

  /**
   * Deliveries one user's endpoints may have in flight at once, across every worker: a user
   * whose endpoints are slow or never answer waits for their own share and leaves the rest of
   * the delivery workers to everyone else.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_USER_CONCURRENCY = 10;

  /**
   * Of those, deliveries to endpoints in a failing run (their last attempt failed): an endpoint
   * that hangs holds a worker for WEBHOOK_TIMEOUT_MS each time, so a user's failing endpoints
   * get a smaller share, and it takes many accounts to fill the workers with them.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_FAILING_USER_CONCURRENCY = 2;

  /** Key that encrypts the endpoints' signing secrets at rest (≥ 32 characters); changing it makes the stored secrets unreadable. */
  @IsString()
  @MinLength(32, { message: 'WEBHOOK_SECRET_KEY must be at least 32 characters' })
  WEBHOOK_SECRET_KEY = DEV_WEBHOOK_SECRET_KEY;
}

export const webhooksConfig = defineConfig({
  name: 'webhooks',
  variables: WebhooksVariables,
  check: (config, given) => {
    const problems: string[] = [];
    if (parseSchedule(config.WEBHOOK_RETRY_SCHEDULE) === null)
      problems.push('WEBHOOK_RETRY_SCHEDULE: must be like 5s,5m,30m,2h');
    if (config.NODE_ENV === 'production') {
      problems.push(
        ...productionSecretProblems(
          'WEBHOOK_SECRET_KEY',
          config.WEBHOOK_SECRET_KEY,
          DEV_WEBHOOK_SECRET_KEY,
          given,
        ),
      );
      if (config.WEBHOOK_ALLOW_PRIVATE === 'true')
        problems.push('WEBHOOK_ALLOW_PRIVATE: must not be true in production');
    }
    return problems;
  },
});

export type WebhooksConfig = Readonly<WebhooksVariables> & PlatformConfig;

export const WEBHOOKS_CONFIG = webhooksConfig.token;

/** Whether private addresses and plain http are allowed (explicit setting, else dev/test only). */
export function allowsPrivate(config: WebhooksConfig): boolean {
  if (config.WEBHOOK_ALLOW_PRIVATE === '') return config.NODE_ENV !== 'production';
  return config.WEBHOOK_ALLOW_PRIVATE === 'true';
}

export function retrySchedule(config: WebhooksConfig): number[] {
  return parseSchedule(config.WEBHOOK_RETRY_SCHEDULE) ?? [];
}
