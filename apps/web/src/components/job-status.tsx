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
  // A light tint with dark text: white on Mantine's mid shades falls short of AA contrast.
  return (
    <Badge variant="light" color={COLOR[status]} c="dark.7">
      {t(`status.${status}`)}
    </Badge>
  );
}
