import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { luaScript, REDIS } from '@jewelshot/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { normalizeEmail } from '../email-address';
import { LoginBusyError, LoginLockedError } from '../identity.errors';

/** Failures are counted over this window, and a lock lasts as long. */
const WINDOW_MS = 15 * 60_000;
const LOCK_MS = 15 * 60_000;
/**
 * A password check in flight is counted this long at most: one whose process died before it
 * said how it went stops holding a place (a live check takes well under a second).
 */
const CHECK_MS = 30_000;
/** How long a caller refused for too many checks in flight waits before it tries again. */
const BUSY_RETRY_SECONDS = 1;

// KEYS[1] failures, KEYS[2] lock, KEYS[3] checks in flight; ARGV: max failures, check ms.
// A check may start only while the failures so far plus the checks in flight leave room under
// the limit: guesses sent at once get no more checks than guesses sent in turn. Returns the
// lock's ms left (refused, locked), -1 (refused, no room now: not locked), or 0 (go on).
const START_CHECK = `
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
local inFlight = tonumber(redis.call('GET', KEYS[3]) or '0')
if failures + inFlight >= tonumber(ARGV[1]) then return -1 end
redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 0
`;

// KEYS as above; ARGV: outcome ('right', 'wrong' or 'none': the check did not finish), max
// failures, window ms, lock ms. A wrong password counts (the limit reached locks the email); a
// right one clears the failures; either way the check is no longer in flight.
const END_CHECK = `
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then redis.call('DECR', KEYS[3]) end
if ARGV[1] == 'right' then
  redis.call('DEL', KEYS[1])
elseif ARGV[1] == 'wrong' then
  local failures = redis.call('INCR', KEYS[1])
  if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
  if failures >= tonumber(ARGV[2]) then
    redis.call('SET', KEYS[2], '1', 'PX', ARGV[4])
    redis.call('DEL', KEYS[1])
  end
end
return 0
`;

/**
 * Failed logins per email, from any address: LOGIN_MAX_FAILURES within 15 minutes lock that
 * email's login for 15 minutes (429), so a guesser spread over many addresses gets no more
 * tries than one. Checks in flight hold a place under the limit, so one sending every guess at
 * once gets no more than one sending them in turn: past the room left, an attempt is refused
 * for a second (429), unchecked and uncounted, and never locks. Only wrong passwords count; a
 * right one resets the count. Keys hold a hash of the email, not the email. Without Redis (the
 * CLI has none) or while Redis fails, logins are not locked (logged): the per-address rate
 * limit still applies.
 */
@Injectable()
export class LoginLockout {
  private readonly logger = new Logger(LoginLockout.name);
  private lastWarned = 0;

  private readonly start?: (...args: string[]) => Promise<number>;
  private readonly end?: (...args: string[]) => Promise<number>;

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Optional() @Inject(REDIS) redis?: Redis,
  ) {
    if (redis) {
      this.start = luaScript(redis, 'jewelshotLoginCheckStart', 3, START_CHECK);
      this.end = luaScript(redis, 'jewelshotLoginCheckEnd', 3, END_CHECK);
    }
  }

  private keys(email: string): [string, string, string] {
    const id = createHash('sha256').update(normalizeEmail(email)).digest('hex');
    return [`login-failures:${id}`, `login-lock:${id}`, `login-checks:${id}`];
  }

  /**
   * Runs `check` (is this the email's password?) as one attempt: refused with LoginLockedError
   * while the email is locked, or LoginBusyError while as many checks as are left are in
   * flight; a wrong answer counts, and locks the email at LOGIN_MAX_FAILURES; a right one
   * resets the count. Returns what `check` said.
   */
  async attempt(email: string, check: () => Promise<boolean>): Promise<boolean> {
    const { start, end } = this;
    if (!start || !end) return check();
    const keys = this.keys(email);
    const max = String(this.config.LOGIN_MAX_FAILURES);
    const started = await start(...keys, max, String(CHECK_MS)).catch((error: unknown) =>
      this.failOpen(error, null),
    );
    if (started !== null && started > 0) throw new LoginLockedError(Math.ceil(started / 1000));
    if (started === -1) throw new LoginBusyError(BUSY_RETRY_SECONDS);
    let outcome: 'right' | 'wrong' | 'none' = 'none';
    try {
      const right = await check();
      outcome = right ? 'right' : 'wrong';
      return right;
    } finally {
      // Not started (Redis failed): nothing is in flight to end, and nothing is counted.
      if (started === 0)
        await end(...keys, outcome, max, String(WINDOW_MS), String(LOCK_MS)).catch(
          (error: unknown) => this.failOpen(error, 0),
        );
    }
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
