import { unwrap, type Operation, type UploadedFile } from '@jewelshot/api-client';
import { Button, Card, Image, Progress, Radio, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api';
import { useCredits } from '../components/credits-text';
import { ErrorAlert, fieldErrors } from '../errors/error-alert';
import {
  buildParams,
  INITIAL_PARAMS,
  NEEDS_IMAGE,
  OperationParams,
  unitsOf,
  type ParamsState,
} from '../jobs/operation-params';
import { keys, useBalance, useInvalidateMoney, usePrices } from '../queries';
import { PhotoPicker } from '../upload/photo-picker';
import { usePageTitle } from '../components/page-title';

const OPERATIONS: Operation[] = ['generate', 'edit', 'remove-background', 'upscale'];

export function NewShotPage() {
  const { t, i18n } = useTranslation();
  const credits = useCredits();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const invalidateMoney = useInvalidateMoney();
  const balance = useBalance();
  const prices = usePrices();
  const [progress, setProgress] = useState<number | null>(null);
  const [uploaded, setUploaded] = useState<UploadedFile | null>(null);
  const [operation, setOperation] = useState<Operation>('remove-background');
  const [params, setParams] = useState<ParamsState>(INITIAL_PARAMS);
  // One key per intended submission: a double click or a retry of the same form pays once.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());

  const upload = useMutation({
    mutationFn: (file: File) => {
      setProgress(0);
      return api.upload(file, setProgress);
    },
    onSuccess: (file) => setUploaded(file),
    onSettled: () => setProgress(null),
  });

  // A double click must not even send twice: the second submit would meet the first's key in
  // flight (409). The Idempotency-Key covers retries across reloads of this form's state.
  const inFlight = useRef(false);
  const submit = useMutation({
    mutationFn: () =>
      unwrap(
        api.client.POST('/v1/ai/jobs', {
          params: { header: { 'Idempotency-Key': idempotencyKey } },
          body: { operation, params: buildParams(operation, params, uploaded?.id ?? null) },
        }),
      ),
    // The job has its own page (live progress, result, cancel): a reload or Back keeps it.
    onSuccess: async (created) => {
      queryClient.setQueryData(keys.job(created.id), created);
      invalidateMoney();
      await navigate(`/jobs/${created.id}`);
    },
    // A refusal (402: not enough credits, a price changed) means the balance on screen is stale.
    onError: () => {
      void queryClient.invalidateQueries({ queryKey: keys.balance });
      void queryClient.invalidateQueries({ queryKey: keys.prices });
    },
    onSettled: () => {
      inFlight.current = false;
    },
  });

  const change =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setIdempotencyKey(crypto.randomUUID());
    };

  const priceOf = (op: Operation) => prices.data?.find((price) => price.operation === op)?.credits;
  const available = balance.data?.available;
  const costOf = (op: Operation) => {
    const price = priceOf(op);
    return price === undefined ? undefined : price * unitsOf(op, params);
  };
  const cost = costOf(operation);
  const short = (op: Operation) => {
    const c = costOf(op);
    return c !== undefined && available !== undefined && c > available;
  };
  const missingPhoto = NEEDS_IMAGE[operation] && !uploaded;
  const fields = fieldErrors(submit.error, i18n.language);
  usePageTitle(t('shot.title'));

  return (
    <Stack maw={720}>
      <Title order={1}>{t('shot.title')}</Title>
      <Title order={2} size="h3">
        {t('shot.photo')}
      </Title>
      <PhotoPicker
        label={t('shot.pickPhoto')}
        hint={t('shot.dropHint')}
        disabled={upload.isPending}
        onFiles={([file]) => {
          if (file) change(upload.mutate)(file);
        }}
      />
      {progress !== null && (
        <Stack gap={4}>
          <Text size="sm">{t('shot.uploading', { percent: Math.round(progress * 100) })}</Text>
          <Progress value={progress * 100} aria-label={t('shot.progress')} />
        </Stack>
      )}
      <ErrorAlert error={upload.error} />
      {uploaded && (
        <Card withBorder maw={320}>
          <Card.Section>
            <Image src={uploaded.url} alt={t('shot.preview')} />
          </Card.Section>
          <Text size="sm" mt="xs">
            {t('shot.uploaded', { width: uploaded.width, height: uploaded.height })}
          </Text>
        </Card>
      )}
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (inFlight.current) return;
          inFlight.current = true;
          submit.mutate();
        }}
      >
        <Stack>
          <Radio.Group
            label={t('shot.operation')}
            value={operation}
            onChange={(value) => change(setOperation)(value as Operation)}
            error={fields.operation}
          >
            <Stack gap="xs" mt="xs">
              {OPERATIONS.map((op) => {
                const c = costOf(op);
                return (
                  <Radio
                    key={op}
                    value={op}
                    disabled={short(op)}
                    label={`${t(`operation.${op}`)}${c === undefined ? '' : ` — ${t('shot.costs', { amount: credits(c) })}`}`}
                    description={
                      short(op) && c !== undefined && available !== undefined
                        ? t('shot.shortOfCredits', {
                            needed: credits(c),
                            available: credits(available),
                          })
                        : undefined
                    }
                  />
                );
              })}
            </Stack>
          </Radio.Group>
          <OperationParams
            operation={operation}
            state={params}
            onChange={change(setParams)}
            fieldErrors={fields}
          />
          {fields.inputImageId && (
            <Text c="red" size="sm">
              {fields.inputImageId}
            </Text>
          )}
          <ErrorAlert error={submit.error} />
          {missingPhoto && <Text size="sm">{t('shot.needsPhoto')}</Text>}
          {short(operation) && cost !== undefined && available !== undefined && (
            <Text size="sm" c="red">
              {t('shot.shortOfCredits', { needed: credits(cost), available: credits(available) })}
            </Text>
          )}
          <Button
            type="submit"
            loading={submit.isPending}
            disabled={missingPhoto || short(operation) || upload.isPending}
          >
            {t('shot.submit', { amount: cost === undefined ? '…' : credits(cost) })}
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
