import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { luaScript, REDIS } from '@jewelshot/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { normalizeEmail } from '../email-address';
import { LoginLockedError } from '../identity.errors';

/** Failures are counted over this window, and a lock lasts as long. */
const WINDOW_MS = 15 * 60_000;
const LOCK_MS = 15 * 60_000;

// KEYS[1] failure counter, KEYS[2] lock; ARGV: window ms, max failures, lock ms.
// Counting and locking in one step, so concurrent guesses cannot slip past the limit.
const RECORD_FAILURE = `
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if failures >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
end
return failures
`;

/**
 * Failed logins per email, from any address: LOGIN_MAX_FAILURES within 15 minutes lock that
 * email's login for 15 minutes (429), so a guesser spread over many addresses gets no more
 * tries than one. A success resets the count. Keys hold a hash of the email, not the email.
 * Without Redis (the CLI has none) or while Redis fails, logins are not locked (logged):
 * the per-address rate limit still applies.
 */
@Injectable()
export class LoginLockout {
  private readonly logger = new Logger(LoginLockout.name);
  private lastWarned = 0;

  private readonly countFailure?: (...args: string[]) => Promise<number>;

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Optional() @Inject(REDIS) private readonly redis?: Redis,
  ) {
    if (redis) this.countFailure = luaScript(redis, 'jewelshotLoginFailure', 2, RECORD_FAILURE);
  }

  private keys(email: string): [string, string] {
    const id = createHash('sha256').update(normalizeEmail(email)).digest('hex');
    return [`login-failures:${id}`, `login-lock:${id}`];
  }

  /** Throws LoginLockedError while the email is locked. */
  async assertOpen(email: string): Promise<void> {
    if (!this.redis) return;
    const [, lock] = this.keys(email);
    const remainingMs = await this.redis
      .pttl(lock)
      .catch((error: unknown) => this.failOpen(error, -2));
    if (remainingMs > 0) throw new LoginLockedError(Math.ceil(remainingMs / 1000));
  }

  async recordFailure(email: string): Promise<void> {
    if (!this.countFailure) return;
    await this.countFailure(
      ...this.keys(email),
      String(WINDOW_MS),
      String(this.config.LOGIN_MAX_FAILURES),
      String(LOCK_MS),
    ).catch((error: unknown) => this.failOpen(error, 0));
  }

  async reset(email: string): Promise<void> {
    if (!this.redis) return;
    await this.redis.del(this.keys(email)[0]).catch((error: unknown) => this.failOpen(error, 0));
  }

  private failOpen<T>(error: unknown, value: T): T {
    if (Date.now() - this.lastWarned > 10_000) {
      this.lastWarned = Date.now();
      this.logger.warn(
        `login lockout skipped: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return value;
  }
}
