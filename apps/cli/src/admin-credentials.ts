import { isEmail, length } from 'class-validator';
import {
  EMAIL_MAX_LENGTH,
  EMAIL_PATTERN,
  isCommonPassword,
  normalizeEmail,
} from '@jewelshot/identity';

/**
 * The checks POST /v1/auth/register makes (apps/api/src/auth/auth.dto.ts RegisterDto, and
 * AuthService.register's common-password refusal), made by `npm run admin:create` before it
 * touches the database: an admin it creates can sign in, and has no password sign-up would refuse.
 */

const CONTROL = /\p{Cc}/u;

/** The address in its stored normal form, or why registration would refuse it. */
export function adminEmailOf(raw: string): { email: string } | { problem: string } {
  // Never echoed: an ESC in it could drive the operator's terminal.
  if (CONTROL.test(raw)) return { problem: '--email contains a control character' };
  const email = normalizeEmail(raw);
  if (email.length > EMAIL_MAX_LENGTH)
    return { problem: `--email must be at most ${EMAIL_MAX_LENGTH} characters` };
  if (!isEmail(email, {}) || !EMAIL_PATTERN.test(email))
    return {
      problem:
        '--email is not an address sign-up accepts (like name@example.com: ASCII, a domain of two labels or more)',
    };
  return { email };
}

/** Why registration would refuse this password, or null. */
export function adminPasswordProblem(password: string): string | null {
  if (!length(password, 10, 128)) return '--password must be 10 to 128 characters';
  if (isCommonPassword(password))
    return '--password is one of the most commonly used passwords; choose a less guessable one';
  return null;
}
