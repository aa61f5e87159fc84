import type { AuditEvent } from '@jewelshot/audit';

/** The fields an audit event's hash covers (every column but the hash and its seal). */
export type AuditRowFields = Omit<AuditEvent, 'hash' | 'seal'>;

/**
 * An audit event's fields as a test writes them past AuditService (a forger, rows from before a
 * migration): `seq`, `prevHash` and what the test cares about; the rest a plain succeeded event.
 */
export function auditRow(
  fields: Pick<AuditRowFields, 'seq' | 'prevHash'> & Partial<AuditRowFields>,
): AuditRowFields {
  return {
    occurredAt: new Date(),
    actorId: null,
    actorEmail: 'test@example.test',
    action: 'user.ban',
    targetType: 'user',
    targetId: `t-${fields.seq}`,
    outcome: 'succeeded',
    reason: null,
    details: null,
    before: null,
    after: null,
    ip: null,
    userAgent: null,
    requestId: null,
    ...fields,
  };
}
