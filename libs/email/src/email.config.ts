import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import {
  defineConfig,
  productionSecretProblems,
  toInt,
  type PlatformConfig,
} from '@jewelshot/platform';

export const EMAIL_DRIVERS = ['outbox', 'resend'] as const;
export type EmailDriverName = (typeof EMAIL_DRIVERS)[number];

const DEV_EMAIL_TOKEN_SECRET = 'dev-only-email-token-secret-change-me-0123';

/** Email's variables: the driver, the sender, the cap, the send rate and the links' base. */
export class EmailVariables {
  /** `outbox` writes every message to OUTBOX_DIR (nothing leaves the machine); `resend` sends it. */
  @IsIn(EMAIL_DRIVERS)
  EMAIL_DRIVER: EmailDriverName = 'outbox';

  /** Where the outbox driver writes `<time>-<id>.json` and `.eml` (relative to the working directory). */
  @IsString()
  OUTBOX_DIR = 'var/outbox';

  @IsString()
  RESEND_API_KEY = '';

  /** Resend's API base (empty: the SDK's own, https://api.resend.com); the tests point it at a local fake. */
  @IsString()
  @Matches(/^(https?:\/\/\S+)?$/, { message: 'RESEND_BASE_URL must be an http(s) URL' })
  RESEND_BASE_URL = '';

  @IsString()
  @MinLength(3)
  EMAIL_FROM = 'Jewelshot <no-reply@jewelshot.local>';

  /** Base of every link in a message (the SPA's address). */
  @IsString()
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, {
    message: 'APP_BASE_URL must be an absolute http(s) URL',
  })
  APP_BASE_URL = 'http://localhost:3000';

  /** Messages per user per template per rolling hour (the review's figure); more are recorded `rate_limited`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  EMAIL_MAX_PER_HOUR_PER_TYPE = 10;

  /** Provider requests per second across the workers (the queue's limiter; Resend's default limit is 2). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  EMAIL_SEND_RATE_PER_SECOND = 2;

  /** Attempts per message before it is marked failed; the first retry waits EMAIL_BACKOFF_MS (doubling). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  EMAIL_ATTEMPTS = 8;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  EMAIL_BACKOFF_MS = 2000;

  /** HMAC key of the unsubscribe links (≥ 32 characters); changing it breaks the links already sent. */
  @IsString()
  @MinLength(32, { message: 'EMAIL_TOKEN_SECRET must be at least 32 characters' })
  EMAIL_TOKEN_SECRET = DEV_EMAIL_TOKEN_SECRET;
}

export const emailConfig = defineConfig({
  name: 'email',
  variables: EmailVariables,
  check: (config, given) => {
    const problems: string[] = [];
    if (config.EMAIL_DRIVER === 'resend' && !config.RESEND_API_KEY)
      problems.push('RESEND_API_KEY: must be set when EMAIL_DRIVER=resend');
    if (config.NODE_ENV === 'production') {
      problems.push(
        ...productionSecretProblems(
          'EMAIL_TOKEN_SECRET',
          config.EMAIL_TOKEN_SECRET,
          DEV_EMAIL_TOKEN_SECRET,
          given,
        ),
      );
      if (!given.has('APP_BASE_URL'))
        problems.push('APP_BASE_URL: must be set explicitly in production');
    }
    return problems;
  },
});

export type EmailConfig = Readonly<EmailVariables> & PlatformConfig;

export const EMAIL_CONFIG = emailConfig.token;
