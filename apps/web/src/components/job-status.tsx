import type { Job } from '@jewelshot/api-client';
import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';

const COLOR: Record<Job['status'], string> = {
  queued: 'gray',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  canceled: 'yellow',
};

export function JobStatus({ status }: { status: Job['status'] }) {
  const { t } = useTranslation();
  return <Badge color={COLOR[status]}>{t(`status.${status}`)}</Badge>;
}
