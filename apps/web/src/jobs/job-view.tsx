import { ApiError, unwrap, type Job } from '@jewelshot/api-client';
import {
  Alert,
  Button,
  Card,
  Group,
  Image,
  Loader,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { JobStatus } from '../components/job-status';
import { ErrorAlert } from '../errors/error-alert';
import { describeJobError } from '../errors/messages';
import { formatDate } from '../i18n/format';
import { keys, useInvalidateMoney } from '../queries';
import { useJobCost } from './job-cost';
import { useJobStream } from './use-job-stream';

const PROGRESS: Record<Job['status'], number> = {
  queued: 15,
  running: 60,
  succeeded: 100,
  failed: 100,
  canceled: 100,
};

/** A job's live progress, result with download, cancel, attempts and error in plain words. */
export function JobView({ job }: { job: Job }) {
  const { t, i18n } = useTranslation();
  const cost = useJobCost();
  const queryClient = useQueryClient();
  const invalidateMoney = useInvalidateMoney();
  const { reconnecting, streamError } = useJobStream(job);

  const cancel = useMutation({
    mutationFn: () =>
      unwrap(api.client.POST('/v1/ai/jobs/{id}/cancel', { params: { path: { id: job.id } } })),
    onSuccess: (next) => {
      queryClient.setQueryData(keys.job(job.id), next);
      invalidateMoney();
    },
    onError: (error) => {
      // 409: it settled meanwhile; show what it became.
      if (error instanceof ApiError && error.status === 409) {
        void queryClient.invalidateQueries({ queryKey: keys.job(job.id) });
      }
    },
  });

  const live = job.status === 'queued' || job.status === 'running';
  return (
    <Stack>
      <Group>
        <JobStatus status={job.status} />
        <Text>{t(`operation.${job.operation}`)}</Text>
        {live && <Loader size="xs" aria-hidden />}
      </Group>
      <Progress
        value={PROGRESS[job.status]}
        animated={live}
        aria-label={t('shot.progress')}
        color={job.status === 'failed' ? 'red' : job.status === 'canceled' ? 'yellow' : 'blue'}
      />
      <div aria-live="polite" className="visually-hidden-status">
        <Text size="sm">{t(`status.${job.status}`)}</Text>
      </div>
      {reconnecting && (
        <Alert color="yellow" role="status">
          {t('shot.reconnecting')}
        </Alert>
      )}
      <ErrorAlert error={streamError} />
      {live && (
        <Group>
          <Button
            color="red"
            variant="outline"
            onClick={() => cancel.mutate()}
            loading={cancel.isPending}
          >
            {t('shot.cancel')}
          </Button>
        </Group>
      )}
      <ErrorAlert error={cancel.error} />
      {job.error && (
        <Alert color="red" title={t('job.error')}>
          {describeJobError(job.error.code, i18n.language)}
        </Alert>
      )}
      {job.outputs.length > 0 && (
        <>
          <Title order={2} size="h3">
            {t('shot.result')}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {job.outputs.map((output, index) => (
              <Card withBorder key={output.fileId}>
                <Card.Section>
                  <Image src={output.url} alt={`${t('shot.result')} ${index + 1}`} />
                </Card.Section>
                <Button
                  component="a"
                  href={output.url}
                  download={`jewelshot-${job.id}-${index + 1}`}
                  mt="sm"
                  variant="light"
                >
                  {t('shot.download', { n: index + 1 })}
                </Button>
              </Card>
            ))}
          </SimpleGrid>
        </>
      )}
      <Table>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th>{t('job.cost')}</Table.Th>
            <Table.Td>{cost(job)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('job.queuedAt')}</Table.Th>
            <Table.Td>{formatDate(job.queuedAt, i18n.language)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('job.startedAt')}</Table.Th>
            <Table.Td>{formatDate(job.startedAt, i18n.language)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('job.finishedAt')}</Table.Th>
            <Table.Td>{formatDate(job.finishedAt, i18n.language)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>{t('job.attempts')}</Table.Th>
            <Table.Td>{job.attempts}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
