import { DomainError, NotFoundError } from '@jewelshot/platform';

/** The audit log's own error codes (none yet: its errors use platform's generic ones). The API gives each its HTTP status (apps/api/src/http/error-status.ts). */
export const AUDIT_ERROR_CODES = [] as const;

export class AuditEventNotFoundError extends NotFoundError {
  constructor() {
    super('Audit event not found');
  }
}

/**
 * The chain's last event is sealed with a key this process does not hold (neither
 * AUDIT_CHAIN_KEY nor a previous key): the chain has moved on to a newer key (this process is
 * out of date, in a rolling change of the key), or its end was forged. Nothing is appended
 * after it: an event sealed with an older key after a newer one would be a break for ever.
 */
export class AuditChainAheadError extends DomainError {
  constructor() {
    super(
      'SERVICE_UNAVAILABLE',
      'The audit record cannot be extended by this server right now; try again shortly',
    );
  }
}
