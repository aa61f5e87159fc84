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

// KEYS[1] attempt counter, KEYS[2] lock; ARGV: window ms, max failures, lock ms.
// An attempt is counted before its password is checked, in one step with the lock check, so
// guesses sent at once cannot all pass the check before the first of them is counted. Past the
// limit, the email is locked and the attempt refused. Returns the lock's ms left, or 0: go on.
const TAKE_ATTEMPT = `
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
local attempts = redis.call('INCR', KEYS[1])
if attempts == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if attempts > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
  return tonumber(ARGV[3])
end
return 0
`;

/**
 * Failed logins per email, from any address: LOGIN_MAX_FAILURES within 15 minutes lock that
 * email's login for 15 minutes (429), so a guesser spread over many addresses gets no more
 * tries than one, and one sending them all at once gets no more than one sending them in turn
 * (each is counted before its password is checked). A success resets the count. Keys hold a hash of the email, not the email.
 * Without Redis (the CLI has none) or while Redis fails, logins are not locked (logged):
 * the per-address rate limit still applies.
 */
@Injectable()
export class LoginLockout {
  private readonly logger = new Logger(LoginLockout.name);
  private lastWarned = 0;

  private readonly countAttempt?: (...args: string[]) => Promise<number>;

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Optional() @Inject(REDIS) private readonly redis?: Redis,
  ) {
    if (redis) this.countAttempt = luaScript(redis, 'jewelshotLoginAttempt', 2, TAKE_ATTEMPT);
  }

  private keys(email: string): [string, string] {
    const id = createHash('sha256').update(normalizeEmail(email)).digest('hex');
    return [`login-failures:${id}`, `login-lock:${id}`];
  }

  /**
   * Takes one attempt at the email's password (a login, a password change): counted now, as a
   * failure unless `reset` follows its success. Throws LoginLockedError while the email is
   * locked, and locks it on the attempt past LOGIN_MAX_FAILURES within the window.
   */
  async takeAttempt(email: string): Promise<void> {
    if (!this.countAttempt) return;
    const lockedMs = await this.countAttempt(
      ...this.keys(email),
      String(WINDOW_MS),
      String(this.config.LOGIN_MAX_FAILURES),
      String(LOCK_MS),
    ).catch((error: unknown) => this.failOpen(error, 0));
    if (lockedMs > 0) throw new LoginLockedError(Math.ceil(lockedMs / 1000));
  }

  /** After a right password: the email's attempts count from nothing again. */
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
