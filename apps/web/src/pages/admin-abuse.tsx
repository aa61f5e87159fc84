import { unwrap, type components } from '@jewelshot/api-client';
import {
  Anchor,
  Badge,
  Button,
  Group,
  NativeSelect,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { adminChange, isForbidden, type AuditEvent } from '../admin/admin-api';
import { ReasonDialog } from '../admin/reason-dialog';
import { RecordedEvent } from '../admin/recorded-event';
import { Empty, LoadMore, Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { formatDate } from '../i18n/format';
import { useSession } from '../session';
import { NotAllowed } from './admin';
import { usePageTitle } from '../components/page-title';
import { TableScroll } from '../components/table-scroll';

type Flag = components['schemas']['AbuseFlagDto'];
type FlagStatus = Flag['status'];
type Resolution = 'dismissed' | 'banned';

const PAGE_SIZE = 25;

/** A value of a signal's evidence as text: strings as they are, the rest as JSON. */
const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function FlagCard({
  flag,
  onResolve,
}: {
  flag: Flag;
  onResolve: (flag: Flag, resolution: Resolution) => void;
}) {
  const { t, i18n } = useTranslation();
  const headingId = useId();
  const who = flag.email ?? flag.userId;
  return (
    <Paper withBorder p="md" component="article" aria-labelledby={headingId}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Title order={2} size="h4" id={headingId}>
            <Anchor component={Link} to={`/admin/users/${flag.userId}`}>
              {who}
            </Anchor>
          </Title>
          <Group gap="xs">
            <Badge color={flag.status === 'open' ? 'red' : 'gray'}>
              {flag.resolution
                ? t(`admin.abuse.resolution.${flag.resolution}`)
                : t(`admin.abuse.status.${flag.status}`)}
            </Badge>
            <Text fw={700}>{t('admin.abuse.score', { score: flag.score })}</Text>
          </Group>
        </Group>
        <Text size="sm">
          {t('admin.abuse.opened', { at: formatDate(flag.createdAt, i18n.language) })} ·{' '}
          {t('admin.abuse.updated', { at: formatDate(flag.updatedAt, i18n.language) })}
          {flag.creditsHeld > 0 && <> · {t('admin.abuse.held', { count: flag.creditsHeld })}</>}
        </Text>
        <TableScroll label={t('admin.abuse.signalsOf', { who })}>
          <Table aria-label={t('admin.abuse.signalsOf', { who })}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('admin.abuse.signal')}</Table.Th>
                <Table.Th>{t('admin.abuse.signalScore')}</Table.Th>
                <Table.Th>{t('admin.abuse.reason')}</Table.Th>
                <Table.Th>{t('admin.abuse.evidence')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {flag.signals.map((signal) => (
                <Table.Tr key={signal.signal}>
                  <Table.Td>{t(`admin.abuse.signals.${signal.signal}`)}</Table.Td>
                  <Table.Td>{signal.value}</Table.Td>
                  <Table.Td>{signal.reason}</Table.Td>
                  <Table.Td>
                    {Object.entries(signal.evidence).map(([key, value]) => (
                      <Text key={key} size="xs" ff="monospace">
                        {key}: {shown(value)}
                      </Text>
                    ))}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
        {flag.status === 'resolved' && (
          <Text size="sm">
            {t('admin.abuse.resolvedAt', { at: formatDate(flag.resolvedAt, i18n.language) })}
            {flag.note ? ` · ${flag.note}` : ''}
          </Text>
        )}
        {flag.status === 'open' && (
          <Group>
            <Button
              variant="default"
              aria-label={t('admin.abuse.dismissOf', { who })}
              onClick={() => onResolve(flag, 'dismissed')}
            >
              {t('admin.abuse.dismiss')}
            </Button>
            <Button
              color="red"
              aria-label={t('admin.abuse.banOf', { who })}
              onClick={() => onResolve(flag, 'banned')}
            >
              {t('admin.abuse.ban')}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/**
 * The abuse console: flags newest first (open or resolved), each with its score, its signals'
 * readings, reasons and evidence, and the flagged user; an open flag is dismissed (the user's
 * tier comes back) or banned after a confirm step that asks for the note the audit log keeps.
 */
export function AdminAbusePage() {
  const { t } = useTranslation();
  const session = useSession();
  const client = useQueryClient();
  const isAdmin = session.status === 'signed-in' && session.user.role === 'admin';
  const [status, setStatus] = useState<FlagStatus>('open');
  const [action, setAction] = useState<{ flag: Flag; resolution: Resolution } | null>(null);
  const [recorded, setRecorded] = useState<AuditEvent | null>(null);
  const flags = useInfiniteQuery({
    queryKey: ['admin', 'abuse', status],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.client.GET('/v1/admin/abuse/flags', {
          params: { query: { status, limit: PAGE_SIZE, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

  const resolve = async (note: string) => {
    if (!action) return;
    const change = adminChange();
    await unwrap(
      api.client.POST('/v1/admin/abuse/flags/{flagId}/resolve', {
        params: { path: { flagId: action.flag.id } },
        headers: change.headers,
        body: { resolution: action.resolution, note },
      }),
    );
    setRecorded(await change.recorded(action.flag.id));
    await client.invalidateQueries({ queryKey: ['admin'] });
  };

  const who = action ? (action.flag.email ?? action.flag.userId) : '';
  const list = flags.data?.pages.flatMap((page) => page.data) ?? [];
  usePageTitle(t('admin.abuse.title'));
  return (
    <Stack>
      <Anchor component={Link} to="/admin">
        {t('app.back')}
      </Anchor>
      <Title order={1}>{t('admin.abuse.title')}</Title>
      {!isAdmin && <NotAllowed />}
      <NativeSelect
        label={t('admin.abuse.filter')}
        value={status}
        onChange={(event) => setStatus(event.currentTarget.value as FlagStatus)}
        data={(['open', 'resolved'] as const).map((value) => ({
          value,
          label: t(`admin.abuse.status.${value}`),
        }))}
      />
      <RecordedEvent event={recorded} />
      {flags.error ? (
        isForbidden(flags.error) ? (
          isAdmin && <NotAllowed />
        ) : (
          <ErrorAlert error={flags.error} />
        )
      ) : flags.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty>{t(`admin.abuse.empty.${status}`)}</Empty>
      ) : (
        <>
          {list.map((flag) => (
            <FlagCard
              key={flag.id}
              flag={flag}
              onResolve={(target, resolution) => setAction({ flag: target, resolution })}
            />
          ))}
          <LoadMore list={flags} label={t('admin.abuse.more')} />
        </>
      )}
      <ReasonDialog
        title={
          action?.resolution === 'banned'
            ? t('admin.abuse.confirmBan', { who })
            : t('admin.abuse.confirmDismiss', { who })
        }
        opened={action !== null}
        onClose={() => setAction(null)}
        onConfirm={resolve}
      />
    </Stack>
  );
}
