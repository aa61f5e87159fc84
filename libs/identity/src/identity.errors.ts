import { DomainError, NotFoundError, ValidationError } from '@jewelshot/platform';

/** Identity's own error codes; its other errors use platform's generic ones. The API gives each its HTTP status (apps/api/src/http/error-status.ts). */
export const IDENTITY_ERROR_CODES = ['ACCOUNT_BANNED', 'INSUFFICIENT_SCOPE'] as const;

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('UNAUTHORIZED', 'Invalid email or password');
  }
}

export class InvalidRefreshTokenError extends DomainError {
  constructor() {
    super('UNAUTHORIZED', 'The refresh token is invalid, expired or revoked');
  }
}

export class SessionEndedError extends DomainError {
  constructor() {
    super('UNAUTHORIZED', 'The session has ended; sign in again');
  }
}

export class EmailTakenError extends DomainError {
  constructor() {
    super('CONFLICT', 'An account with this email already exists', { reason: 'EMAIL_TAKEN' });
  }
}

export class AccountBannedError extends DomainError {
  constructor() {
    super('ACCOUNT_BANNED', 'This account is banned');
  }
}

export class WrongPasswordError extends ValidationError {
  constructor() {
    super(
      [
        {
          field: 'currentPassword',
          message: 'currentPassword is not correct',
          constraint: 'isCurrentPassword',
        },
      ],
      'The current password is not correct',
    );
  }
}

/** A password from the list of the most common leaked ones; the field names the parameter refused. */
export class CommonPasswordError extends ValidationError {
  constructor(field: 'password' | 'newPassword') {
    super(
      [
        {
          field,
          message: `${field} is one of the most commonly used passwords; choose a less guessable one`,
          constraint: 'isNotCommonPassword',
        },
      ],
      'The password is too common',
    );
  }
}

/** An email that is too long once normalised (lower-casing can lengthen it: 'İ' becomes two code units). */
export class EmailTooLongError extends ValidationError {
  constructor() {
    super([
      {
        field: 'email',
        message: 'email must be at most 254 characters',
        constraint: 'maxLength',
        max: 254,
      },
    ]);
  }
}

/** Too many failed logins for one email: its login is locked for a while, from every address. */
export class LoginLockedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'RATE_LIMIT_EXCEEDED',
      'Too many failed logins for this account. Retry after the time in Retry-After.',
      {
        retryAfterSeconds,
      },
    );
  }
}

/**
 * As many password checks for one email are in flight as its lockout has room for: this one is
 * refused unchecked (and uncounted) for a moment, so guesses sent at once get no more checks
 * than guesses sent in turn.
 */
export class LoginBusyError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'RATE_LIMIT_EXCEEDED',
      'Too many logins for this account at once. Retry after the time in Retry-After.',
      { retryAfterSeconds },
    );
  }
}

/** An API key on a route its scopes do not reach; `details.scope` names the scope it lacks. */
export class InsufficientScopeError extends DomainError {
  constructor(readonly scope: string) {
    super('INSUFFICIENT_SCOPE', `This API key lacks the scope ${scope}`, { scope });
  }
}

/** An API key on a route no key may use (admin, key management, account settings). */
export class ApiKeyNotAllowedError extends DomainError {
  constructor() {
    super('FORBIDDEN', 'This route cannot be used with an API key; sign in instead');
  }
}

export class ApiKeyNotFoundError extends NotFoundError {
  constructor() {
    super('API key not found');
  }
}

/** Too many live keys for one user: a 409 with the limit, as for webhook endpoints. */
export class TooManyApiKeysError extends DomainError {
  constructor(max: number) {
    super(
      'CONFLICT',
      `You already have ${max} active API keys, the most allowed: revoke one first`,
      { reason: 'API_KEY_LIMIT', limit: max },
    );
  }
}
