import type { Job } from '@jewelshot/api-client';
import { Anchor, Card, Group, Image, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate } from '../i18n/format';
import { JobStatus } from './job-status';

export function JobCard({ job }: { job: Job }) {
  const { t, i18n } = useTranslation();
  const thumb = job.outputs[0];
  return (
    <Card withBorder padding="sm">
      {thumb ? (
        <Card.Section>
          <Image src={thumb.url} alt={t(`operation.${job.operation}`)} h={140} fit="cover" />
        </Card.Section>
      ) : null}
      <Stack gap={4} mt="xs">
        <Group justify="space-between">
          <Text fw={500}>{t(`operation.${job.operation}`)}</Text>
          <JobStatus status={job.status} />
        </Group>
        <Text size="sm" c="dimmed">
          {formatDate(job.queuedAt, i18n.language)}
        </Text>
        <Anchor component={Link} to={`/jobs/${job.id}`} size="sm">
          {t('job.open', {
            operation: t(`operation.${job.operation}`),
            when: formatDate(job.queuedAt, i18n.language),
          })}
        </Anchor>
      </Stack>
    </Card>
  );
}
