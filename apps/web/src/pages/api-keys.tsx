import { unwrap, type components } from '@jewelshot/api-client';
import {
  Anchor,
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
import { Link } from 'react-router';
import { api } from '../api';
import { useConfirm } from '../components/confirm-action';
import { ShownOnce } from '../components/shown-once';
import { Loading } from '../components/states';
import { ErrorAlert, fieldErrors } from '../errors/error-alert';
import { formatDate } from '../i18n/format';
import { usePageTitle } from '../components/page-title';
import { TableScroll } from '../components/table-scroll';

type Scope = components['schemas']['CreateApiKeyDto']['scopes'][number];
type CreatedKey = components['schemas']['CreatedApiKeyDto'];

/** Every scope a key may hold, in the order the form offers them. */
export const SCOPES: readonly Scope[] = [
  'jobs:read',
  'jobs:write',
  'files:write',
  'credits:read',
  'webhooks:manage',
];

const KEYS = ['api-keys'];

/**
 * Account → API keys: create (the key is shown this once, with a copy button), list, revoke.
 * Keys are for integrations; the key itself never comes back from the API after creation.
 */
export function ApiKeysPage() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['jobs:read', 'jobs:write']);
  const [created, setCreated] = useState<CreatedKey | null>(null);

  const keys = useQuery({
    queryKey: KEYS,
    queryFn: () => unwrap(api.client.GET('/v1/api-keys')),
  });
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.client.POST('/v1/api-keys', { body: { name, scopes: scopes as Scope[] } })),
    onSuccess: async (key) => {
      setCreated(key);
      setName('');
      await queryClient.invalidateQueries({ queryKey: KEYS });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.client.DELETE('/v1/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEYS }),
  });
  const confirm = useConfirm();

  const fields = fieldErrors(create.error, i18n.language);
  usePageTitle(t('apiKeys.title'));
  return (
    <Stack maw={860}>
      <Anchor component={Link} to="/account" size="sm">
        ← {t('account.title')}
      </Anchor>
      <Title order={1}>{t('apiKeys.title')}</Title>
      <Text size="sm">{t('apiKeys.intro')}</Text>
      {created && (
        <ShownOnce
          value={created.key}
          title={t('apiKeys.createdTitle')}
          hint={t('apiKeys.shownOnce')}
          copyLabel={t('apiKeys.copy')}
          copiedLabel={t('apiKeys.copied')}
          doneLabel={t('apiKeys.done')}
          onDone={() => setCreated(null)}
          testId="new-api-key"
        />
      )}
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
              {t('apiKeys.create')}
            </Title>
            <ErrorAlert error={create.error} />
            <TextInput
              label={t('apiKeys.name')}
              value={name}
              maxLength={100}
              onChange={(event) => setName(event.currentTarget.value)}
              error={fields.name}
            />
            <Checkbox.Group
              label={t('apiKeys.scopes')}
              value={scopes}
              onChange={setScopes}
              error={fields.scopes}
            >
              <Stack gap={4} mt={4}>
                {SCOPES.map((scope) => (
                  <Checkbox
                    key={scope}
                    value={scope}
                    label={t(`apiKeys.scope.${scope.replace(':', '_')}`)}
                  />
                ))}
              </Stack>
            </Checkbox.Group>
            <Button
              type="submit"
              loading={create.isPending}
              disabled={name.trim() === '' || scopes.length === 0}
            >
              {t('apiKeys.create')}
            </Button>
          </Stack>
        </form>
      </Paper>
      <ErrorAlert error={keys.error ?? revoke.error} />
      {keys.isPending ? (
        <Loading />
      ) : keys.data && keys.data.data.length === 0 ? (
        <Text size="sm">{t('apiKeys.none')}</Text>
      ) : (
        keys.data && (
          <TableScroll label={t('apiKeys.title')}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('apiKeys.name')}</Table.Th>
                  <Table.Th>{t('apiKeys.prefix')}</Table.Th>
                  <Table.Th>{t('apiKeys.scopes')}</Table.Th>
                  <Table.Th>{t('apiKeys.createdAt')}</Table.Th>
                  <Table.Th>{t('apiKeys.lastUsed')}</Table.Th>
                  <Table.Th>{t('apiKeys.expires')}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {keys.data.data.map((key) => (
                  <Table.Tr key={key.id}>
                    <Table.Td>{key.name}</Table.Td>
                    <Table.Td>
                      <Code>{key.prefix}…</Code>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {key.scopes.map((scope) => (
                          <Badge key={scope} variant="light" size="sm">
                            {scope}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>{formatDate(key.createdAt, i18n.language)}</Table.Td>
                    <Table.Td>
                      {key.lastUsedAt
                        ? formatDate(key.lastUsedAt, i18n.language)
                        : t('apiKeys.never')}
                    </Table.Td>
                    <Table.Td>
                      {key.expiresAt
                        ? formatDate(key.expiresAt, i18n.language)
                        : t('apiKeys.never')}
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        color="red"
                        variant="outline"
                        loading={revoke.isPending && revoke.variables === key.id}
                        onClick={() =>
                          confirm.ask({
                            title: t('apiKeys.revokeTitle', { name: key.name }),
                            message: t('apiKeys.revokeWarning'),
                            confirmLabel: t('apiKeys.revoke'),
                            onConfirm: () => revoke.mutate(key.id),
                          })
                        }
                        aria-label={t('apiKeys.revokeNamed', { name: key.name })}
                      >
                        {t('apiKeys.revoke')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )
      )}
      {confirm.dialog}
    </Stack>
  );
}
