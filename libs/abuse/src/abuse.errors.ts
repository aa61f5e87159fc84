import { DomainError, NotFoundError } from '@jewelshot/platform';

/** Abuse's own error codes: none; its errors use platform's generic ones. */
export const ABUSE_ERROR_CODES = [] as const;

export class FlagNotFoundError extends NotFoundError {
  constructor() {
    super('No such abuse flag');
  }
}

/** A flag is resolved once; resolving it again is a conflict, not a second ban or restore. */
export class FlagResolvedError extends DomainError {
  constructor() {
    super('CONFLICT', 'The abuse flag is already resolved', { reason: 'FLAG_RESOLVED' });
  }
}
