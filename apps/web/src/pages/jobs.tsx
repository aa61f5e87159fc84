import type { Job } from '@jewelshot/api-client';
import { Anchor, NativeSelect, Stack, Table, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { JobStatus } from '../components/job-status';
import { Empty, LoadMore, Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { formatDate } from '../i18n/format';
import { useJobCost } from '../jobs/job-cost';
import { useJobsPages } from '../queries';
import { usePageTitle } from '../components/page-title';
import { TableScroll } from '../components/table-scroll';

const STATUSES: Job['status'][] = ['queued', 'running', 'succeeded', 'failed', 'canceled'];

const statusOf = (value: string | null): Job['status'] | undefined =>
  STATUSES.find((status) => status === value);

/** Every job of the seller, newest first, a page at a time; the filter lives in the URL. */
export function JobsPage() {
  const { t, i18n } = useTranslation();
  const cost = useJobCost();
  const [search, setSearch] = useSearchParams();
  const status = statusOf(search.get('status'));
  const jobs = useJobsPages(status);
  const all = jobs.data?.pages.flatMap((page) => page.data) ?? [];
  usePageTitle(t('app.nav.jobs'));

  return (
    <Stack>
      <Title order={1}>{t('app.nav.jobs')}</Title>
      <NativeSelect
        label={t('jobs.filter')}
        maw={240}
        value={status ?? ''}
        onChange={(event) => {
          const next = event.currentTarget.value;
          setSearch(next ? { status: next } : {}, { replace: true });
        }}
        data={[
          { value: '', label: t('jobs.all') },
          ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
        ]}
      />
      {jobs.isPending ? (
        <Loading />
      ) : jobs.error ? (
        <ErrorAlert error={jobs.error} />
      ) : all.length === 0 ? (
        <Empty>{status ? t('jobs.emptyFiltered') : t('jobs.empty')}</Empty>
      ) : (
        <TableScroll label={t('app.nav.jobs')}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('jobs.date')}</Table.Th>
                <Table.Th>{t('jobs.operation')}</Table.Th>
                <Table.Th>{t('jobs.status')}</Table.Th>
                <Table.Th>{t('jobs.cost')}</Table.Th>
                <Table.Th>{t('jobs.job')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {all.map((job) => (
                <Table.Tr key={job.id}>
                  <Table.Td>{formatDate(job.queuedAt, i18n.language)}</Table.Td>
                  <Table.Td>{t(`operation.${job.operation}`)}</Table.Td>
                  <Table.Td>
                    <JobStatus status={job.status} />
                  </Table.Td>
                  <Table.Td>{cost(job)}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={`/jobs/${job.id}`}>
                      {t('job.open', {
                        operation: t(`operation.${job.operation}`),
                        when: formatDate(job.queuedAt, i18n.language),
                      })}
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      <LoadMore list={jobs} />
    </Stack>
  );
}
