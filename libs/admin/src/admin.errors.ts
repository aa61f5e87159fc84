import { DomainError, ForbiddenError } from '@jewelshot/platform';

/** The admin module's own error codes (none: its errors use platform's generic ones). The API gives each its HTTP status (apps/api/src/http/error-status.ts). */
export const ADMIN_ERROR_CODES = [] as const;

/** An admin may not ban, demote or adjust the credits of their own account. */
export class SelfActionError extends ForbiddenError {
  constructor(what: string) {
    super(`An admin cannot ${what} their own account`);
  }
}

/** The change would leave no active admin. */
export class LastAdminError extends DomainError {
  constructor() {
    super('CONFLICT', 'The last active admin cannot be removed', { reason: 'LAST_ADMIN' });
  }
}
