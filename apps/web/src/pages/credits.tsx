import type { LedgerEntry } from '@jewelshot/api-client';
import { Stack, Table, Text, Title } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useCredits } from '../components/credits-text';
import { Empty, LoadMore, Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { formatDate } from '../i18n/format';
import { useBalance, useHistoryPages, useHoldsPages } from '../queries';
import { usePageTitle } from '../components/page-title';
import { TableScroll } from '../components/table-scroll';

/**
 * A ledger entry in words: a charge names what it paid for; any other entry carries the reason it
 * was written with (a support note, "Free retry of a failed remove-background job", a grant taken
 * back), in the words of whoever wrote it. A charge's own reason is the machine form of its
 * operation, already said in words.
 */
export function describeEntry(t: TFunction, entry: LedgerEntry): string {
  const kind = t(`credits.kind.${entry.kind}`);
  if (entry.kind === 'charge' && entry.operation) {
    return `${kind}: ${t(`operation.${entry.operation}`)}${
      entry.quantity && entry.quantity > 1 ? ` × ${entry.quantity}` : ''
    }`;
  }
  const reason = entry.reason?.trim();
  return reason ? `${kind}: ${reasonInWords(t, reason)}` : kind;
}

/** The reasons the system itself writes, in the reader's language; anyone else's as written. */
function reasonInWords(t: TFunction, reason: string): string {
  if (reason === 'Sign-up credits') return t('credits.reason.signUp');
  if (reason === 'Grant taken back: the job it paid for did not succeed') {
    return t('credits.reason.takenBack');
  }
  const retry = /^Free retry of a failed (.+) job$/.exec(reason);
  if (retry?.[1]) {
    return t('credits.reason.freeRetry', { operation: t(`operation.${retry[1]}`, retry[1]) });
  }
  return reason;
}

export function CreditsPage() {
  const { t, i18n } = useTranslation();
  const credits = useCredits();
  const balance = useBalance();
  const history = useHistoryPages();
  const entries = history.data?.pages.flatMap((page) => page.data) ?? [];
  usePageTitle(t('app.nav.credits'));

  return (
    <Stack>
      <Title order={1}>{t('app.nav.credits')}</Title>
      {balance.isPending ? (
        <Loading />
      ) : balance.error ? (
        <ErrorAlert error={balance.error} />
      ) : (
        <Stack gap={2}>
          <Text size="xl" fw={700}>
            {t('credits.available')}: {credits(balance.data.available)}
          </Text>
          <Text size="sm">
            {t('credits.balance')}: {credits(balance.data.balance)} · {t('credits.reserved')}:{' '}
            {credits(balance.data.reserved)}
          </Text>
        </Stack>
      )}
      <Title order={2}>{t('credits.history')}</Title>
      {history.isPending ? (
        <Loading />
      ) : history.error ? (
        <ErrorAlert error={history.error} />
      ) : entries.length === 0 ? (
        <Empty>{t('credits.historyEmpty')}</Empty>
      ) : (
        <TableScroll label={t('credits.history')}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('credits.date')}</Table.Th>
                <Table.Th>{t('credits.what')}</Table.Th>
                <Table.Th>{t('credits.change')}</Table.Th>
                <Table.Th>
                  {t('credits.balanceAfter', { amount: '' }).replace(/:\s*$/, '')}
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((entry) => (
                <Table.Tr key={entry.id}>
                  <Table.Td>{formatDate(entry.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>{describeEntry(t, entry)}</Table.Td>
                  <Table.Td>
                    {entry.delta > 0 ? '+' : ''}
                    {credits(entry.delta)}
                  </Table.Td>
                  <Table.Td>{credits(entry.balanceAfter)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      <LoadMore list={history} />
      <Title order={2}>{t('credits.holds')}</Title>
      <Text size="sm">{t('credits.holdsHint')}</Text>
      <HoldsTable />
    </Stack>
  );
}

/** Holds: what each operation reserved and how it ended; refunds live here. */
function HoldsTable() {
  const { t, i18n } = useTranslation();
  const credits = useCredits();
  const holds = useHoldsPages();
  const rows = holds.data?.pages.flatMap((page) => page.data) ?? [];
  if (holds.isPending) return <Loading />;
  if (holds.error) return <ErrorAlert error={holds.error} />;
  if (rows.length === 0) return <Empty>{t('credits.holdsEmpty')}</Empty>;
  return (
    <>
      <TableScroll label={t('credits.holds')}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('credits.date')}</Table.Th>
              <Table.Th>{t('credits.what')}</Table.Th>
              <Table.Th>{t('credits.amount')}</Table.Th>
              <Table.Th>{t('credits.outcome')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((hold) => (
              <Table.Tr key={hold.id}>
                <Table.Td>{formatDate(hold.createdAt, i18n.language)}</Table.Td>
                <Table.Td>
                  {t(`operation.${hold.operation}`)}
                  {hold.quantity > 1 ? ` × ${hold.quantity}` : ''}
                </Table.Td>
                <Table.Td>{credits(hold.amount)}</Table.Td>
                <Table.Td>{t(`credits.holdStatus.${hold.status}`)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      <LoadMore list={holds} />
    </>
  );
}
