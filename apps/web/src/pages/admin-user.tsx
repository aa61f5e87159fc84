import { unwrap } from '@jewelshot/api-client';
import {
  Anchor,
  Button,
  Group,
  NativeSelect,
  NumberInput,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api';
import { adminChange, isForbidden, useAdminUser, type AuditEvent } from '../admin/admin-api';
import { ReasonDialog } from '../admin/reason-dialog';
import { RecordedEvent } from '../admin/recorded-event';
import { Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { NotAllowed } from './admin';
import { usePageTitle } from '../components/page-title';
import { TableScroll } from '../components/table-scroll';

type Action = 'ban' | 'unban' | 'endSessions' | 'promote' | 'demote' | 'setTier' | 'adjust';
type Tier = 'high' | 'normal' | 'low';
const TIERS: readonly Tier[] = ['high', 'normal', 'low'];

export function AdminUserPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const client = useQueryClient();
  const detail = useAdminUser(id);
  const [action, setAction] = useState<Action | null>(null);
  const [recorded, setRecorded] = useState<AuditEvent | null>(null);
  // The select starts at the user's tier and follows it when it changes (a reload, another
  // admin): a choice holds only while the tier it was made against is still the current one.
  const currentTier: Tier = detail.data?.user.priorityTier ?? 'normal';
  const [choice, setChoice] = useState<{ tier: Tier; from: Tier } | null>(null);
  const tier = choice && choice.from === currentTier ? choice.tier : currentTier;
  const [delta, setDelta] = useState<number>(0);
  usePageTitle(
    detail.data ? t('admin.user.title', { email: detail.data.user.email }) : t('admin.title'),
  );

  const run = async (reason: string) => {
    const change = adminChange();
    const path = { params: { path: { userId: id } }, headers: change.headers };
    switch (action) {
      case 'ban':
        await unwrap(
          api.client.POST('/v1/admin/users/{userId}/ban', { ...path, body: { reason } }),
        );
        break;
      case 'unban':
        await unwrap(
          api.client.POST('/v1/admin/users/{userId}/unban', { ...path, body: { reason } }),
        );
        break;
      case 'endSessions':
        await unwrap(
          api.client.POST('/v1/admin/users/{userId}/sessions/end', { ...path, body: { reason } }),
        );
        break;
      case 'promote':
        await unwrap(
          api.client.POST('/v1/admin/users/{userId}/promote', { ...path, body: { reason } }),
        );
        break;
      case 'demote':
        await unwrap(
          api.client.POST('/v1/admin/users/{userId}/demote', { ...path, body: { reason } }),
        );
        break;
      case 'setTier':
        await unwrap(
          api.client.PUT('/v1/admin/users/{userId}/priority-tier', {
            ...path,
            body: { priorityTier: tier, reason },
          }),
        );
        break;
      case 'adjust':
        await unwrap(
          api.client.POST('/v1/admin/users/{userId}/credits', {
            ...path,
            body: { delta, reason, reference: crypto.randomUUID() },
          }),
        );
        break;
      default:
        return;
    }
    setRecorded(await change.recorded(id));
    await client.invalidateQueries({ queryKey: ['admin'] });
  };

  if (detail.error)
    return isForbidden(detail.error) ? <NotAllowed /> : <ErrorAlert error={detail.error} />;
  if (detail.isPending) return <Loading />;
  const { user, balance, sessions, holds, recentJobs } = detail.data;
  return (
    <Stack>
      <Anchor component={Link} to="/admin">
        {t('app.back')}
      </Anchor>
      <Title order={1}>{t('admin.user.title', { email: user.email })}</Title>
      <Text>
        {t('admin.users.role')}: {t(`admin.role.${user.role}`)} · {t('admin.users.status')}:{' '}
        {t(`admin.userStatus.${user.status}`)} · {t('admin.users.tier')}:{' '}
        {t(`admin.tier.${user.priorityTier}`)}
      </Text>
      <Text data-testid="admin-balance">{t('admin.user.balance', balance)}</Text>
      <Text>{t('admin.user.sessions', { count: sessions.length })}</Text>
      <Text>{t('admin.user.holds', { count: holds.length })}</Text>
      <RecordedEvent event={recorded} />
      <Group>
        {user.status === 'banned' ? (
          <Button onClick={() => setAction('unban')}>{t('admin.user.unban')}</Button>
        ) : (
          <Button color="red" onClick={() => setAction('ban')}>
            {t('admin.user.ban')}
          </Button>
        )}
        <Button variant="default" onClick={() => setAction('endSessions')}>
          {t('admin.user.endSessions')}
        </Button>
        {user.role === 'admin' ? (
          <Button variant="default" onClick={() => setAction('demote')}>
            {t('admin.user.demote')}
          </Button>
        ) : (
          <Button variant="default" onClick={() => setAction('promote')}>
            {t('admin.user.promote')}
          </Button>
        )}
      </Group>
      <Group align="flex-end">
        <NativeSelect
          label={t('admin.users.tier')}
          value={tier}
          onChange={(event) =>
            setChoice({ tier: event.currentTarget.value as Tier, from: currentTier })
          }
          data={TIERS.map((value) => ({ value, label: t(`admin.tier.${value}`) }))}
        />
        <Button variant="default" onClick={() => setAction('setTier')}>
          {t('admin.user.setTier')}
        </Button>
      </Group>
      <Group align="flex-end">
        <NumberInput
          label={t('admin.user.delta')}
          value={delta}
          onChange={(value) => setDelta(Number(value))}
        />
        <Button onClick={() => setAction('adjust')} disabled={!delta}>
          {t('admin.user.adjust')}
        </Button>
      </Group>
      <Title order={2}>{t('admin.user.recentJobs')}</Title>
      <TableScroll label={t('admin.user.recentJobs')}>
        <Table striped>
          <Table.Tbody>
            {recentJobs.map((job) => (
              <Table.Tr key={job.id}>
                <Table.Td>{t(`operation.${job.operation}`)}</Table.Td>
                <Table.Td>{t(`status.${job.status}`)}</Table.Td>
                <Table.Td>{job.rawErrorMessage ?? ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      <ReasonDialog
        title={action ? t(`admin.user.${action}`) : ''}
        opened={action !== null}
        onClose={() => setAction(null)}
        onConfirm={run}
      />
    </Stack>
  );
}
