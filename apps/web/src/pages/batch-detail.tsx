import { unwrap, type Batch } from '@jewelshot/api-client';
import {
  Alert,
  Anchor,
  Button,
  Group,
  Image,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api';
import {
  BATCH_COLOR,
  BatchStateBadge,
  batchCounts,
  batchState,
  refundedOf,
} from '../batches/batch-outcome';
import { useCredits } from '../components/credits-text';
import { JobStatus } from '../components/job-status';
import { Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { useBatch, useInvalidateMoney } from '../queries';
import { usePageTitle } from '../components/page-title';
import { TableScroll } from '../components/table-scroll';

/** The zip is built in the browser (fflate, loaded only when asked) from the signed output URLs. */
async function downloadZip(batch: Batch): Promise<void> {
  const { zipSync } = await import('fflate');
  const entries: Record<string, Uint8Array> = {};
  for (const [index, job] of batch.items.entries()) {
    for (const [n, output] of job.outputs.entries()) {
      const response = await fetch(output.url);
      const type = response.headers.get('content-type') ?? '';
      const ext = type.includes('png') ? 'png' : type.includes('webp') ? 'webp' : 'jpg';
      entries[`${String(index + 1).padStart(3, '0')}-${n + 1}.${ext}`] = new Uint8Array(
        await response.arrayBuffer(),
      );
    }
  }
  const zipped = zipSync(entries, { level: 0 });
  const url = URL.createObjectURL(new Blob([zipped.slice().buffer], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${batch.name || 'jewelshot'}.zip`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function BatchDetailPage() {
  const { t } = useTranslation();
  const credits = useCredits();
  const { id = '' } = useParams();
  const [live, setLive] = useState(true);
  const batch = useBatch(id, live);
  const invalidateMoney = useInvalidateMoney();
  const progress = batch.data?.progress;
  const done = progress ? progress.succeeded + progress.failed + progress.canceled : 0;
  if (progress && live && done === progress.total) setLive(false);
  usePageTitle(batch.data ? `${batch.data.name} · ${t('batches.title')}` : t('batches.title'));

  const zip = useMutation({ mutationFn: (b: Batch) => downloadZip(b) });
  const cancel = useMutation({
    mutationFn: () =>
      unwrap(api.client.POST('/v1/batches/{id}/cancel', { params: { path: { id } } })),
    onSuccess: () => {
      invalidateMoney();
      void batch.refetch();
    },
  });

  if (batch.isPending) return <Loading />;
  if (batch.error) return <ErrorAlert error={batch.error} />;
  const data = batch.data;
  const state = batchState(data.progress);
  const refunded = refundedOf(data);
  return (
    <Stack>
      <Anchor component={Link} to="/batches">
        {t('app.back')}
      </Anchor>
      <Title order={1}>{data.name}</Title>
      <Group>
        <BatchStateBadge progress={data.progress} />
        <Text>{t(`operation.${data.operation}`)}</Text>
      </Group>
      <div aria-live="polite">
        <Text>{t('batches.progress', { done, total: data.total })}</Text>
        <Text size="sm">{batchCounts(t, data.progress)}</Text>
      </div>
      <Progress
        value={(done / Math.max(data.total, 1)) * 100}
        color={BATCH_COLOR[state]}
        animated={state === 'running'}
        aria-label={t('shot.progress')}
      />
      {refunded > 0 && (
        <Alert color={BATCH_COLOR[state]} role="status">
          {t('batches.refunded', { amount: credits(refunded) })}
        </Alert>
      )}
      <Group>
        <Button
          onClick={() => zip.mutate(data)}
          loading={zip.isPending}
          disabled={data.progress.succeeded === 0}
        >
          {zip.isPending ? t('batches.zipping') : t('batches.downloadAll')}
        </Button>
        {done < data.total && (
          <Button
            color="red"
            variant="outline"
            onClick={() => cancel.mutate()}
            loading={cancel.isPending}
          >
            {t('batches.cancel')}
          </Button>
        )}
      </Group>
      <ErrorAlert error={zip.error ?? cancel.error} />
      <TableScroll label={data.name}>
        <Table>
          <Table.Tbody>
            {data.items.map((job, index) => (
              <Table.Tr key={job.id}>
                <Table.Td>{t('batches.item', { n: index + 1 })}</Table.Td>
                <Table.Td>
                  <JobStatus status={job.status} />
                </Table.Td>
                <Table.Td>
                  {job.outputs[0] && (
                    <Image
                      src={job.outputs[0].url}
                      alt={t('batches.item', { n: index + 1 })}
                      h={60}
                      w={60}
                      fit="cover"
                    />
                  )}
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/jobs/${job.id}`}>
                    {t('job.open', {
                      operation: t(`operation.${job.operation}`),
                      when: t('batches.item', { n: index + 1 }),
                    })}
                  </Anchor>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
    </Stack>
  );
}
