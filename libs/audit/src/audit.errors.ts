import { NotFoundError } from '@jewelshot/platform';

/** The audit log's own error codes (none yet: its errors use platform's generic ones). The API gives each its HTTP status (apps/api/src/http/error-status.ts). */
export const AUDIT_ERROR_CODES = [] as const;

export class AuditEventNotFoundError extends NotFoundError {
  constructor() {
    super('Audit event not found');
  }
}
