import { unwrap } from '@jewelshot/api-client';
import {
  Alert,
  Anchor,
  Button,
  Group,
  NativeSelect,
  NumberInput,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api';
import {
  ADMIN_PAGE_SIZE,
  isForbidden,
  adminChange,
  useAdminUsers,
  type AuditEvent,
} from '../admin/admin-api';
import { ReasonDialog } from '../admin/reason-dialog';
import { RecordedEvent } from '../admin/recorded-event';
import { Empty, LoadMore, Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { formatDate } from '../i18n/format';
import { useSession } from '../session';
import { usePageTitle } from '../components/page-title';
import { TableScroll } from '../components/table-scroll';

/** "Not allowed" for anyone the API refuses (the API decides; the page only says so). */
export function NotAllowed() {
  const { t } = useTranslation();
  return (
    <Alert color="red" role="alert" title={t('admin.notAllowed')}>
      {null}
    </Alert>
  );
}

function UsersTab() {
  const { t, i18n } = useTranslation();
  const [email, setEmail] = useState('');
  const users = useAdminUsers(email);
  const rows = users.data?.pages.flatMap((page) => page.data) ?? [];
  if (users.error)
    return isForbidden(users.error) ? <NotAllowed /> : <ErrorAlert error={users.error} />;
  return (
    <Stack>
      <TextInput
        label={t('admin.users.search')}
        value={email}
        onChange={(event) => setEmail(event.currentTarget.value)}
      />
      {users.isPending ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{t('admin.users.empty')}</Empty>
      ) : (
        <TableScroll label={t('admin.tabs.users')}>
          <Table striped data-testid="users-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('admin.users.email')}</Table.Th>
                <Table.Th>{t('admin.users.role')}</Table.Th>
                <Table.Th>{t('admin.users.status')}</Table.Th>
                <Table.Th>{t('admin.users.tier')}</Table.Th>
                <Table.Th>{t('admin.users.created')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((user) => (
                <Table.Tr key={user.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/admin/users/${user.id}`}>
                      {user.email}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{t(`admin.role.${user.role}`)}</Table.Td>
                  <Table.Td>{t(`admin.userStatus.${user.status}`)}</Table.Td>
                  <Table.Td>{t(`admin.tier.${user.priorityTier}`)}</Table.Td>
                  <Table.Td>{formatDate(user.createdAt, i18n.language)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      <LoadMore list={users} />
    </Stack>
  );
}

type JobStatusFilter = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | '';

function JobsTab() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [status, setStatus] = useState<JobStatusFilter>('');
  const [action, setAction] = useState<{ jobId: string; kind: 'cancel' | 'user' | 'free' } | null>(
    null,
  );
  const [recorded, setRecorded] = useState<AuditEvent | null>(null);
  const jobs = useInfiniteQuery({
    queryKey: ['admin', 'jobs', status],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.client.GET('/v1/admin/jobs', {
          params: {
            query: { limit: ADMIN_PAGE_SIZE, cursor: pageParam, status: status || undefined },
          },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = jobs.data?.pages.flatMap((page) => page.data) ?? [];
  const run = async (reason: string) => {
    if (!action) return;
    const change = adminChange();
    const path = { params: { path: { jobId: action.jobId } }, headers: change.headers };
    if (action.kind === 'cancel')
      await unwrap(api.client.POST('/v1/admin/jobs/{jobId}/cancel', { ...path, body: { reason } }));
    else
      await unwrap(
        api.client.POST('/v1/admin/jobs/{jobId}/retry', {
          ...path,
          body: { reason, payer: action.kind },
        }),
      );
    setRecorded(await change.recorded(action.jobId));
    await client.invalidateQueries({ queryKey: ['admin', 'jobs'] });
  };
  if (jobs.error)
    return isForbidden(jobs.error) ? <NotAllowed /> : <ErrorAlert error={jobs.error} />;
  return (
    <Stack>
      <NativeSelect
        label={t('admin.jobs.filter')}
        value={status}
        onChange={(event) => setStatus(event.currentTarget.value as JobStatusFilter)}
        data={[
          { value: '', label: t('admin.jobs.all') },
          ...(['queued', 'running', 'succeeded', 'failed', 'canceled'] as const).map((s) => ({
            value: s,
            label: t(`status.${s}`),
          })),
        ]}
      />
      <RecordedEvent event={recorded} />
      {jobs.isPending ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{t('admin.jobs.empty')}</Empty>
      ) : (
        <TableScroll label={t('admin.tabs.jobs')}>
          <Table striped data-testid="jobs-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('admin.jobs.user')}</Table.Th>
                <Table.Th>{t('admin.jobs.operation')}</Table.Th>
                <Table.Th>{t('admin.jobs.status')}</Table.Th>
                <Table.Th>{t('admin.jobs.error')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((job) => (
                <Table.Tr key={job.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/admin/users/${job.userId}`} title={job.userId}>
                      {job.userEmail ?? job.userId.slice(0, 8)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{t(`operation.${job.operation}`)}</Table.Td>
                  <Table.Td>{t(`status.${job.status}`)}</Table.Td>
                  <Table.Td>{job.rawErrorMessage ?? ''}</Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      {(job.status === 'queued' || job.status === 'running') && (
                        <Button
                          size="xs"
                          onClick={() => setAction({ jobId: job.id, kind: 'cancel' })}
                        >
                          {t('admin.jobs.cancel')}
                        </Button>
                      )}
                      {job.retriedAs !== null && (
                        <Text size="sm">
                          {t('admin.jobs.retriedAs', { id: job.retriedAs.slice(0, 8) })}
                        </Text>
                      )}
                      {job.status === 'failed' && job.retriedAs === null && (
                        <>
                          <Button
                            size="xs"
                            onClick={() => setAction({ jobId: job.id, kind: 'user' })}
                          >
                            {t('admin.jobs.retryPaid')}
                          </Button>
                          <Button
                            size="xs"
                            onClick={() => setAction({ jobId: job.id, kind: 'free' })}
                          >
                            {t('admin.jobs.retryFree')}
                          </Button>
                        </>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      <LoadMore list={jobs} />
      <ReasonDialog
        title={
          action?.kind === 'cancel'
            ? t('admin.jobs.cancel')
            : action?.kind === 'free'
              ? t('admin.jobs.retryFree')
              : t('admin.jobs.retryPaid')
        }
        opened={action !== null}
        onClose={() => setAction(null)}
        onConfirm={run}
      />
    </Stack>
  );
}

function QueuesTab() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [action, setAction] = useState<'pause' | 'resume' | 'drain-failed' | null>(null);
  const [recorded, setRecorded] = useState<AuditEvent | null>(null);
  const stats = useQuery({
    queryKey: ['admin', 'queues'],
    queryFn: () => unwrap(api.client.GET('/v1/admin/queues')),
  });
  const run = async (reason: string) => {
    if (!action) return;
    const path =
      action === 'pause'
        ? '/v1/admin/queues/pause'
        : action === 'resume'
          ? '/v1/admin/queues/resume'
          : '/v1/admin/queues/drain-failed';
    const change = adminChange();
    await unwrap(api.client.POST(path, { body: { reason }, headers: change.headers }));
    setRecorded(await change.recorded('ai-jobs'));
    await client.invalidateQueries({ queryKey: ['admin', 'queues'] });
  };
  if (stats.error)
    return isForbidden(stats.error) ? <NotAllowed /> : <ErrorAlert error={stats.error} />;
  if (stats.isPending) return <Loading />;
  const s = stats.data;
  return (
    <Stack>
      <Text fw={700}>{s.paused ? t('admin.queues.paused') : t('admin.queues.running')}</Text>
      <Text>{t('admin.queues.waiting', s.queuedByPriority)}</Text>
      {s.oldestWaitingSeconds !== null && (
        <Text>{t('admin.queues.oldest', { seconds: s.oldestWaitingSeconds })}</Text>
      )}
      <Text>{t('admin.queues.workers', { count: s.workers.length })}</Text>
      <Text size="sm">
        {t('admin.queues.counts')}:{' '}
        {Object.entries(s.counts)
          .map(([state, n]) => `${state} ${n}`)
          .join(' · ')}
      </Text>
      <RecordedEvent event={recorded} />
      <Group>
        {s.paused ? (
          <Button onClick={() => setAction('resume')}>{t('admin.queues.resume')}</Button>
        ) : (
          <Button onClick={() => setAction('pause')}>{t('admin.queues.pause')}</Button>
        )}
        <Button variant="default" onClick={() => setAction('drain-failed')}>
          {t('admin.queues.drain')}
        </Button>
      </Group>
      <ReasonDialog
        title={
          action === 'pause'
            ? t('admin.queues.pause')
            : action === 'resume'
              ? t('admin.queues.resume')
              : t('admin.queues.drain')
        }
        opened={action !== null}
        onClose={() => setAction(null)}
        onConfirm={run}
      />
    </Stack>
  );
}

function PricesTab() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [editing, setEditing] = useState<{ operation: string; credits: number } | null>(null);
  const [open, setOpen] = useState(false);
  const [recorded, setRecorded] = useState<AuditEvent | null>(null);
  const prices = useQuery({
    queryKey: ['admin', 'prices'],
    queryFn: () => unwrap(api.client.GET('/v1/admin/prices')),
  });
  const save = async (reason: string) => {
    if (!editing) return;
    const change = adminChange();
    await unwrap(
      api.client.PUT('/v1/admin/prices/{operation}', {
        params: { path: { operation: editing.operation } },
        headers: change.headers,
        body: { credits: editing.credits, reason },
      }),
    );
    setRecorded(await change.recorded(editing.operation));
    await client.invalidateQueries({ queryKey: ['admin', 'prices'] });
    await client.invalidateQueries({ queryKey: ['prices'] });
  };
  if (prices.error)
    return isForbidden(prices.error) ? <NotAllowed /> : <ErrorAlert error={prices.error} />;
  if (prices.isPending) return <Loading />;
  return (
    <Stack>
      <RecordedEvent event={recorded} />
      <TableScroll label={t('admin.tabs.prices')}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('admin.prices.operation')}</Table.Th>
              <Table.Th>{t('admin.prices.credits')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {prices.data.map((price) => (
              <Table.Tr key={price.operation}>
                <Table.Td>{t(`operation.${price.operation}`)}</Table.Td>
                <Table.Td>
                  <NumberInput
                    aria-label={`${t('admin.prices.credits')} ${t(`operation.${price.operation}`)}`}
                    min={1}
                    defaultValue={price.credits}
                    onChange={(value) =>
                      setEditing({ operation: price.operation, credits: Number(value) })
                    }
                  />
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    disabled={editing?.operation !== price.operation}
                    onClick={() => setOpen(true)}
                  >
                    {t('admin.prices.save')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      <ReasonDialog
        title={t('admin.prices.save')}
        opened={open}
        onClose={() => setOpen(false)}
        onConfirm={save}
      />
    </Stack>
  );
}

function LedgerTab() {
  const { t } = useTranslation();
  const summary = useQuery({
    queryKey: ['admin', 'ledger-summary'],
    queryFn: () => unwrap(api.client.GET('/v1/admin/ledger/summary')),
  });
  const [check, setCheck] = useState<{ ok: boolean; text: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const verify = async () => {
    setError(null);
    try {
      const report = await unwrap(api.client.GET('/v1/admin/ledger/verify'));
      setCheck({
        ok: report.ok,
        text: report.ok
          ? t('admin.ledger.ok', report)
          : t('admin.ledger.broken', { count: report.violations.length }),
      });
    } catch (caught) {
      setError(caught);
    }
  };
  if (summary.error)
    return isForbidden(summary.error) ? <NotAllowed /> : <ErrorAlert error={summary.error} />;
  return (
    <Stack>
      {summary.data && (
        <Text>
          {t('admin.ledger.summary', {
            ...summary.data,
            up: summary.data.adjustedUp,
            down: summary.data.adjustedDown,
          })}
        </Text>
      )}
      <Group>
        <Button onClick={() => void verify()}>{t('admin.ledger.verify')}</Button>
      </Group>
      {check && (
        <Alert color={check.ok ? 'green' : 'red'} role="status">
          {check.text}
        </Alert>
      )}
      <ErrorAlert error={error} />
    </Stack>
  );
}

type Outcome = 'succeeded' | 'denied' | 'failed' | '';

export function AuditTab() {
  const { t, i18n } = useTranslation();
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState<Outcome>('');
  const [check, setCheck] = useState<{ ok: boolean; text: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const query = { action: action || undefined, outcome: outcome || undefined };
  const events = useInfiniteQuery({
    queryKey: ['admin', 'audit', action, outcome],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.client.GET('/v1/admin/audit', {
          params: { query: { ...query, limit: ADMIN_PAGE_SIZE, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = events.data?.pages.flatMap((page) => page.data) ?? [];
  const exportCsv = async () => {
    setError(null);
    try {
      // A refused or failed export is an error to show, never a file of its error body.
      const csv = await unwrap(
        api.client.GET('/v1/admin/audit/export', { params: { query }, parseAs: 'text' }),
      );
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 'audit-events.csv';
      link.click();
      URL.revokeObjectURL(url);
    } catch (caught) {
      setError(caught);
    }
  };
  const verify = async () => {
    setError(null);
    setCheck(null);
    try {
      const report = await unwrap(api.client.GET('/v1/admin/audit/verify'));
      setCheck({
        ok: report.ok,
        text: report.ok
          ? t('admin.audit.ok', { events: report.events })
          : t('admin.audit.broken', { seq: report.firstBrokenSeq, problem: report.problem }),
      });
    } catch (caught) {
      setError(caught);
    }
  };
  if (events.error)
    return isForbidden(events.error) ? <NotAllowed /> : <ErrorAlert error={events.error} />;
  return (
    <Stack>
      <Group align="flex-end">
        <TextInput
          label={t('admin.audit.action')}
          description={t('admin.audit.actionHint')}
          placeholder="user.ban"
          value={action}
          onChange={(event) => setAction(event.currentTarget.value)}
        />
        <NativeSelect
          label={t('admin.audit.outcome')}
          value={outcome}
          onChange={(event) => setOutcome(event.currentTarget.value as Outcome)}
          data={[
            { value: '', label: t('admin.audit.any') },
            { value: 'succeeded', label: 'succeeded' },
            { value: 'denied', label: 'denied' },
            { value: 'failed', label: 'failed' },
          ]}
        />
        <Button variant="default" onClick={() => void exportCsv()}>
          {t('admin.audit.export')}
        </Button>
        <Button onClick={() => void verify()}>{t('admin.audit.verify')}</Button>
      </Group>
      {check && (
        <Alert color={check.ok ? 'green' : 'red'} role="status">
          {check.text}
        </Alert>
      )}
      <ErrorAlert error={error} />
      {events.isPending ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{t('admin.audit.empty')}</Empty>
      ) : (
        <TableScroll label={t('admin.tabs.audit')}>
          <Table striped data-testid="audit-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>{t('admin.audit.when')}</Table.Th>
                <Table.Th>{t('admin.audit.action')}</Table.Th>
                <Table.Th>{t('admin.audit.actor')}</Table.Th>
                <Table.Th>{t('admin.audit.target')}</Table.Th>
                <Table.Th>{t('admin.audit.outcome')}</Table.Th>
                <Table.Th>{t('admin.audit.reason')}</Table.Th>
                <Table.Th>{t('admin.audit.change')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((event) => (
                <Table.Tr key={event.seq}>
                  <Table.Td>{event.seq}</Table.Td>
                  <Table.Td>{formatDate(event.occurredAt, i18n.language)}</Table.Td>
                  <Table.Td>{event.action}</Table.Td>
                  <Table.Td>{event.actorEmail ?? ''}</Table.Td>
                  <Table.Td>
                    {event.targetType === 'user' && event.targetId ? (
                      <Anchor component={Link} to={`/admin/users/${event.targetId}`}>
                        {event.targetId}
                      </Anchor>
                    ) : (
                      (event.targetId ?? '')
                    )}
                  </Table.Td>
                  <Table.Td>{event.outcome}</Table.Td>
                  <Table.Td>{event.reason ?? ''}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {JSON.stringify(event.before)} → {JSON.stringify(event.after)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      <LoadMore list={events} />
    </Stack>
  );
}

const TABS = ['users', 'jobs', 'queues', 'prices', 'ledger', 'audit'] as const;
type Tab = (typeof TABS)[number];
const isTab = (value: string | null): value is Tab => TABS.some((tab) => tab === value);

export function AdminPage() {
  const { t } = useTranslation();
  const session = useSession();
  const isAdmin = session.status === 'signed-in' && session.user.role === 'admin';
  // The open tab lives in the URL (?tab=jobs): a reload keeps it, Back returns to the last one.
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab');
  const tab: Tab = isTab(requested) ? requested : 'users';
  // Each tab is a page of its own in the history: its title names it.
  usePageTitle(`${t(`admin.tabs.${tab}`)} · ${t('admin.title')}`);
  const open = (value: string | null) => {
    if (!isTab(value) || value === tab) return;
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value === 'users') next.delete('tab');
      else next.set('tab', value);
      return next;
    });
  };
  return (
    <Stack>
      <Title order={1}>{t('admin.title')}</Title>
      {!isAdmin && <NotAllowed />}
      {/* The API decides in every case: a non-admin's calls below are refused (403) too. */}
      <Tabs value={tab} onChange={open} keepMounted={false}>
        <Tabs.List>
          {TABS.map((value) => (
            <Tabs.Tab key={value} value={value}>
              {t(`admin.tabs.${value}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <UsersTab />
        </Tabs.Panel>
        <Tabs.Panel value="jobs" pt="md">
          <JobsTab />
        </Tabs.Panel>
        <Tabs.Panel value="queues" pt="md">
          <QueuesTab />
        </Tabs.Panel>
        <Tabs.Panel value="prices" pt="md">
          <PricesTab />
        </Tabs.Panel>
        <Tabs.Panel value="ledger" pt="md">
          <LedgerTab />
        </Tabs.Panel>
        <Tabs.Panel value="audit" pt="md">
          <AuditTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
