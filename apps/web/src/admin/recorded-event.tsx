import { Alert } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { AuditEvent } from './admin-api';

/** The audit event a change just recorded: every change in the console shows its record. */
export function RecordedEvent({ event }: { event: AuditEvent | null }) {
  const { t } = useTranslation();
  if (!event) return null;
  return (
    <Alert color="green" role="status" data-testid="recorded-event">
      {t('admin.recorded', { seq: event.seq, action: event.action, outcome: event.outcome })}
    </Alert>
  );
}
