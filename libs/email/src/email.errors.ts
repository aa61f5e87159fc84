import { DomainError } from '@jewelshot/platform';

/** Email's own error codes. The API gives each its HTTP status (apps/api/src/http/error-status.ts). */
export const EMAIL_ERROR_CODES = ['INVALID_TOKEN'] as const;

/**
 * A token from a mailed link (reset, verify, unsubscribe) that is wrong, used or expired: one
 * answer for all three, so a caller learns nothing about which.
 */
export class InvalidTokenError extends DomainError {
  constructor() {
    super('INVALID_TOKEN', 'The link is invalid, expired or already used');
  }
}
