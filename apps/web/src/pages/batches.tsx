import { unwrap, type BatchSummary, type Operation } from '@jewelshot/api-client';
import {
  Anchor,
  Button,
  CloseButton,
  Group,
  Paper,
  Progress,
  Radio,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../api';
import { BatchStateBadge, batchCounts } from '../batches/batch-outcome';
import { useCredits } from '../components/credits-text';
import { Empty, LoadMore, Loading } from '../components/states';
import { ErrorAlert, fieldErrors } from '../errors/error-alert';
import { formatDate } from '../i18n/format';
import {
  buildParams,
  INITIAL_PARAMS,
  OperationParams,
  type ParamsState,
} from '../jobs/operation-params';
import { keys, useBalance, useBatchesPages, useInvalidateMoney, usePrices } from '../queries';
import { PhotoPicker } from '../upload/photo-picker';
import { usePageTitle } from '../components/page-title';
import { TableScroll } from '../components/table-scroll';

type BatchOperation = Exclude<Operation, 'generate'>;
const OPERATIONS: BatchOperation[] = ['remove-background', 'upscale', 'edit'];

export function BatchesPage() {
  const { t, i18n } = useTranslation();
  const credits = useCredits();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const invalidateMoney = useInvalidateMoney();
  const batches = useBatchesPages();
  const balance = useBalance();
  const prices = usePrices();
  const [files, setFiles] = useState<File[]>([]);
  const [name, setName] = useState('');
  const [operation, setOperation] = useState<BatchOperation>('remove-background');
  const [params, setParams] = useState<ParamsState>(INITIAL_PARAMS);
  const [uploadDone, setUploadDone] = useState(0);

  const inFlight = useRef(false);
  const create = useMutation({
    mutationFn: async () => {
      setUploadDone(0);
      const ids: string[] = [];
      // One at a time: the API bounds image work per user and answers 503 when it is busy.
      for (const file of files) {
        ids.push((await api.upload(file)).id);
        setUploadDone(ids.length);
      }
      const { inputImageId: _ignored, ...rest } = buildParams(operation, params, null);
      return unwrap(
        api.client.POST('/v1/batches', {
          body: {
            name: name || files[0]?.name || 'batch',
            operation,
            params: rest,
            inputImageIds: ids,
          },
        }),
      );
    },
    onSettled: () => {
      inFlight.current = false;
    },
    onSuccess: async (batch) => {
      invalidateMoney();
      await navigate(`/batches/${batch.id}`);
    },
    // A refusal (402: not enough credits, a price changed) means the balance on screen is stale.
    onError: () => {
      void queryClient.invalidateQueries({ queryKey: keys.balance });
      void queryClient.invalidateQueries({ queryKey: keys.prices });
    },
  });

  const price = prices.data?.find((p) => p.operation === operation)?.credits;
  const cost = price === undefined ? undefined : price * files.length;
  const short = cost !== undefined && balance.data !== undefined && cost > balance.data.available;
  const fields = fieldErrors(create.error, i18n.language);
  const all = batches.data?.pages.flatMap((page) => page.data) ?? [];
  usePageTitle(t('batches.title'));

  return (
    <Stack>
      <Title order={1}>{t('batches.title')}</Title>
      <Paper withBorder p="md" maw={720}>
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (inFlight.current) return;
            inFlight.current = true;
            create.mutate();
          }}
        >
          <Stack>
            <Title order={2} size="h3">
              {t('batches.new')}
            </Title>
            <TextInput
              label={t('batches.name')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fields.name}
            />
            <PhotoPicker
              multiple
              label={t('batches.pickPhotos')}
              hint={t('batches.dropHint')}
              disabled={create.isPending}
              onFiles={(picked) => setFiles((current) => [...current, ...picked].slice(0, 100))}
            />
            {files.length > 0 && (
              <Stack gap={2} aria-label={t('batches.photos')}>
                {files.map((file, index) => (
                  <Group key={`${file.name}-${index}`} gap="xs">
                    <Text size="sm">{file.name}</Text>
                    <CloseButton
                      size="sm"
                      aria-label={t('batches.removePhoto', { name: file.name })}
                      onClick={() => setFiles((current) => current.filter((_, i) => i !== index))}
                    />
                  </Group>
                ))}
              </Stack>
            )}
            {fields.inputImageIds && (
              <Text c="red" size="sm">
                {fields.inputImageIds}
              </Text>
            )}
            <Radio.Group
              label={t('shot.operation')}
              value={operation}
              onChange={(v) => setOperation(v as BatchOperation)}
              error={fields.operation}
            >
              <Stack gap="xs" mt="xs">
                {OPERATIONS.map((op) => (
                  <Radio key={op} value={op} label={t(`operation.${op}`)} />
                ))}
              </Stack>
            </Radio.Group>
            <OperationParams
              operation={operation}
              state={params}
              onChange={setParams}
              fieldErrors={fields}
            />
            {create.isPending && (
              <Stack gap={4}>
                <Text size="sm">
                  {t('shot.uploading', {
                    percent: Math.round((uploadDone / Math.max(files.length, 1)) * 100),
                  })}
                </Text>
                <Progress
                  value={(uploadDone / Math.max(files.length, 1)) * 100}
                  aria-label={t('shot.progress')}
                />
              </Stack>
            )}
            <ErrorAlert error={create.error} />
            {short && cost !== undefined && balance.data && (
              <Text size="sm" c="red">
                {t('shot.shortOfCredits', {
                  needed: credits(cost),
                  available: credits(balance.data.available),
                })}
              </Text>
            )}
            <Button type="submit" loading={create.isPending} disabled={files.length === 0 || short}>
              {t('batches.start', { amount: cost === undefined ? '…' : credits(cost) })}
            </Button>
          </Stack>
        </form>
      </Paper>
      {batches.isPending ? (
        <Loading />
      ) : batches.error ? (
        <ErrorAlert error={batches.error} />
      ) : all.length === 0 ? (
        <Empty>{t('batches.empty')}</Empty>
      ) : (
        <TableScroll label={t('batches.title')}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('batches.name')}</Table.Th>
                <Table.Th>{t('shot.operation')}</Table.Th>
                <Table.Th>{t('batches.photos')}</Table.Th>
                <Table.Th>{t('batches.status')}</Table.Th>
                <Table.Th>{t('credits.date')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {all.map((batch) => (
                <BatchRow key={batch.id} batch={batch} />
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      <LoadMore list={batches} />
    </Stack>
  );
}

/** One batch of the list with how it went (the list carries each batch's counts). */
function BatchRow({ batch }: { batch: BatchSummary }) {
  const { t, i18n } = useTranslation();
  const { progress } = batch;
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} to={`/batches/${batch.id}`}>
          {t('batches.open', { name: batch.name })}
        </Anchor>
      </Table.Td>
      <Table.Td>{t(`operation.${batch.operation}`)}</Table.Td>
      <Table.Td>{batch.total}</Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <BatchStateBadge progress={progress} />
          <Text size="sm">{batchCounts(t, progress)}</Text>
        </Group>
      </Table.Td>
      <Table.Td>{formatDate(batch.createdAt, i18n.language)}</Table.Td>
    </Table.Tr>
  );
}
