import { unwrap } from '@jewelshot/api-client';
import {
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useConfirm } from '../components/confirm-action';
import { ShownOnce } from '../components/shown-once';
import { Loading } from '../components/states';
import { ErrorAlert, fieldErrors } from '../errors/error-alert';
import { formatDate } from '../i18n/format';
import { usePageTitle } from '../components/page-title';
import { TableScroll } from '../components/table-scroll';

/** The event types an endpoint may subscribe to (the API's list). */
export const WEBHOOK_EVENTS = [
  'job.succeeded',
  'job.failed',
  'job.canceled',
  'batch.finished',
  'credits.low',
] as const;
type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const LIST_KEY = ['webhooks'];

/** The signing secret, shown once after creation or rotation, with a copy button. */
function SecretOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <ShownOnce
      value={secret}
      title={t('webhooks.secretTitle')}
      hint={t('webhooks.secretHint')}
      copyLabel={t('webhooks.copy')}
      copiedLabel={t('webhooks.copied')}
      doneLabel={t('webhooks.secretStored')}
      onDone={onDone}
      color="yellow"
      testId="webhook-secret"
    />
  );
}

function CreateEndpoint({ onSecret }: { onSecret: (secret: string) => void }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['job.succeeded', 'job.failed']);
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.client.POST('/v1/webhooks', { body: { url, events, description } })),
    onSuccess: async (created) => {
      setUrl('');
      setDescription('');
      onSecret(created.secret);
      await queryClient.invalidateQueries({ queryKey: LIST_KEY });
    },
  });
  const fields = fieldErrors(create.error, i18n.language);
  return (
    <Paper withBorder p="md">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <Title order={2} size="h4">
            {t('webhooks.add')}
          </Title>
          <ErrorAlert error={create.error} />
          <TextInput
            label={t('webhooks.url')}
            description={t('webhooks.urlHint')}
            placeholder="https://example.com/jewelshot-hooks"
            value={url}
            onChange={(event) => setUrl(event.currentTarget.value)}
            error={fields.url}
            required
          />
          <TextInput
            label={t('webhooks.description')}
            value={description}
            onChange={(event) => setDescription(event.currentTarget.value)}
            error={fields.description}
          />
          <Checkbox.Group
            label={t('webhooks.events')}
            value={events}
            onChange={(value) => setEvents(value as WebhookEvent[])}
            error={fields.events}
          >
            <Stack gap={4} mt={4}>
              {WEBHOOK_EVENTS.map((type) => (
                <Checkbox
                  key={type}
                  value={type}
                  label={`${type} — ${t(`webhooks.types.${type}`)}`}
                />
              ))}
            </Stack>
          </Checkbox.Group>
          <Button type="submit" loading={create.isPending} disabled={events.length === 0}>
            {t('webhooks.create')}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const key = ['webhooks', endpointId, 'deliveries'];
  const list = useQuery({
    queryKey: key,
    queryFn: () =>
      unwrap(
        api.client.GET('/v1/webhooks/{id}/deliveries', {
          params: { path: { id: endpointId }, query: { limit: 20 } },
        }),
      ),
    refetchInterval: 5000,
  });
  const retry = useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.client.POST('/v1/webhooks/{id}/deliveries/{deliveryId}/retry', {
          params: { path: { id: endpointId, deliveryId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  if (list.isPending) return <Loading />;
  if (list.error) return <ErrorAlert error={list.error} />;
  if (list.data.data.length === 0) return <Text size="sm">{t('webhooks.noDeliveries')}</Text>;
  return (
    <>
      <ErrorAlert error={retry.error} />
      <TableScroll label={t('webhooks.deliveries')}>
        <Table striped aria-label={t('webhooks.deliveries')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('webhooks.when')}</Table.Th>
              <Table.Th>{t('webhooks.eventType')}</Table.Th>
              <Table.Th>{t('webhooks.eventId')}</Table.Th>
              <Table.Th>{t('webhooks.attempt')}</Table.Th>
              <Table.Th>{t('webhooks.status')}</Table.Th>
              <Table.Th>{t('webhooks.response')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.data.map((delivery) => (
              <Table.Tr key={delivery.id}>
                <Table.Td>{formatDate(delivery.createdAt, i18n.language)}</Table.Td>
                {/* The event's type as sent (`job.succeeded`); gone once the event was pruned. */}
                <Table.Td>{delivery.eventType ? <Code>{delivery.eventType}</Code> : '—'}</Table.Td>
                <Table.Td>
                  <Code>{delivery.eventId}</Code>
                </Table.Td>
                <Table.Td>{delivery.attempt}</Table.Td>
                <Table.Td>
                  <Badge
                    variant="light"
                    color={delivery.status === 'succeeded' ? 'green' : 'red'}
                    c="dark.7"
                  >
                    {t(`webhooks.deliveryStatus.${delivery.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {delivery.responseStatus ?? '—'} {delivery.error ?? ''} ({delivery.durationMs} ms)
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    loading={retry.isPending && retry.variables === delivery.id}
                    onClick={() => retry.mutate(delivery.id)}
                  >
                    {t('webhooks.retry')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
    </>
  );
}

type Endpoint = {
  id: string;
  url: string;
  events: string[];
  description: string;
  enabled: boolean;
  failingSince: string | null;
};

function EndpointCard({
  endpoint,
  onSecret,
}: {
  endpoint: Endpoint;
  onSecret: (secret: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [showDeliveries, setShowDeliveries] = useState(false);
  const path = { params: { path: { id: endpoint.id } } };
  const refresh = () => queryClient.invalidateQueries({ queryKey: LIST_KEY });
  const test = useMutation({
    mutationFn: () => unwrap(api.client.POST('/v1/webhooks/{id}/test', path)),
    onSuccess: () => {
      setShowDeliveries(true);
      return queryClient.invalidateQueries({ queryKey: ['webhooks', endpoint.id] });
    },
  });
  const rotate = useMutation({
    mutationFn: () => unwrap(api.client.POST('/v1/webhooks/{id}/rotate-secret', path)),
    onSuccess: async (rotated) => {
      onSecret(rotated.secret);
      await refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: () =>
      unwrap(
        api.client.PATCH('/v1/webhooks/{id}', { ...path, body: { enabled: !endpoint.enabled } }),
      ),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.client.DELETE('/v1/webhooks/{id}', path)),
    onSuccess: refresh,
  });
  const confirm = useConfirm();
  return (
    <Paper withBorder p="md" data-testid="webhook-endpoint">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={500} style={{ wordBreak: 'break-all' }}>
            {endpoint.url}
          </Text>
          {/* A light tint with dark text: white on Mantine's mid greens falls short of AA. */}
          <Badge variant="light" color={endpoint.enabled ? 'green' : 'gray'} c="dark.7">
            {endpoint.enabled ? t('webhooks.enabled') : t('webhooks.disabled')}
          </Badge>
        </Group>
        {endpoint.description && <Text size="sm">{endpoint.description}</Text>}
        <Group gap={4}>
          {endpoint.events.map((type) => (
            <Badge key={type} variant="light">
              {type}
            </Badge>
          ))}
        </Group>
        {endpoint.failingSince && (
          <Text size="sm" c="red">
            {t('webhooks.failingSince')}: {formatDate(endpoint.failingSince, i18n.language)}
          </Text>
        )}
        <ErrorAlert error={test.error ?? rotate.error ?? toggle.error ?? remove.error} />
        {test.isSuccess && (
          <Text size="sm" role="status">
            {t('webhooks.testSent')}
          </Text>
        )}
        <Group>
          <Button size="xs" onClick={() => test.mutate()} loading={test.isPending}>
            {t('webhooks.sendTest')}
          </Button>
          <Button size="xs" variant="default" onClick={() => setShowDeliveries((v) => !v)}>
            {t('webhooks.deliveries')}
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() =>
              confirm.ask({
                title: t('webhooks.rotateTitle', { url: endpoint.url }),
                message: t('webhooks.rotateWarning'),
                confirmLabel: t('webhooks.rotate'),
                onConfirm: () => rotate.mutate(),
              })
            }
            loading={rotate.isPending}
          >
            {t('webhooks.rotate')}
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() => toggle.mutate()}
            loading={toggle.isPending}
          >
            {endpoint.enabled ? t('webhooks.disable') : t('webhooks.enable')}
          </Button>
          <Button
            size="xs"
            color="red"
            variant="light"
            onClick={() =>
              confirm.ask({
                title: t('webhooks.deleteTitle', { url: endpoint.url }),
                message: t('webhooks.deleteWarning'),
                confirmLabel: t('webhooks.delete'),
                onConfirm: () => remove.mutate(),
              })
            }
            loading={remove.isPending}
          >
            {t('webhooks.delete')}
          </Button>
        </Group>
        {showDeliveries && <Deliveries endpointId={endpoint.id} />}
        {confirm.dialog}
      </Stack>
    </Paper>
  );
}

/** Account → Webhooks: endpoints, their events and deliveries, tests, retries and rotation. */
export function WebhooksPage() {
  const { t } = useTranslation();
  const [secret, setSecret] = useState<string | null>(null);
  usePageTitle(t('webhooks.title'));
  const list = useQuery({
    queryKey: LIST_KEY,
    queryFn: () => unwrap(api.client.GET('/v1/webhooks')),
  });
  return (
    <Stack maw={860}>
      <Title order={1}>{t('webhooks.title')}</Title>
      <Text size="sm">{t('webhooks.intro')}</Text>
      {secret && <SecretOnce secret={secret} onDone={() => setSecret(null)} />}
      <CreateEndpoint onSecret={setSecret} />
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorAlert error={list.error} />
      ) : list.data.data.length === 0 ? (
        <Text>{t('webhooks.none')}</Text>
      ) : (
        list.data.data.map((endpoint) => (
          <EndpointCard key={endpoint.id} endpoint={endpoint} onSecret={setSecret} />
        ))
      )}
    </Stack>
  );
}
