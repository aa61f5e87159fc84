import { Transform } from 'class-transformer';
import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import {
  defineConfig,
  productionSecretProblems,
  toInt,
  type PlatformConfig,
} from '@jewelshot/platform';

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789';

/** Identity's variables: tokens, sessions, the ban cache, login lockout and password hashing. */
export class IdentityVariables {
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

  /** How long the API may trust a cached user status (ban check). Must stay under 5 s. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(4000)
  USER_STATUS_CACHE_MS = 2000;

  /**
   * Failed logins for one email (from any address) within 15 minutes before that email's login
   * is locked for 15 minutes: a distributed guesser gets 10 tries, not 10 per address.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  LOGIN_MAX_FAILURES = 10;

  /**
   * Password hashes (argon2) running at once per process; more wait in line. Each hash keeps
   * about 4 threads busy (p=4), so 1 suits a 2-CPU host (2 gave 1.2 s downloads under 64 logins,
   * 1 gave 0.25 s); raise it with the CPUs. Must stay below UV_THREADPOOL_SIZE.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PASSWORD_HASH_CONCURRENCY = 1;

  /** Password hashes that may wait; past that a login or sign-up is 503 with Retry-After, not queued forever. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  PASSWORD_HASH_QUEUE = 32;
}

export const identityConfig = defineConfig({
  name: 'identity',
  variables: IdentityVariables,
  check: (config, given) => {
    if (config.NODE_ENV !== 'production') return [];
    return productionSecretProblems('JWT_SECRET', config.JWT_SECRET, DEV_JWT_SECRET, given);
  },
});

export type IdentityConfig = Readonly<IdentityVariables> & PlatformConfig;

export const IDENTITY_CONFIG = identityConfig.token;
