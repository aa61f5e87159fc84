import type { LedgerEntry } from '@jewelshot/api-client';
import { Button, Stack, Table, Text, Title } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useCredits } from '../components/credits-text';
import { Empty, Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { formatDate } from '../i18n/format';
import { useBalance, useHistoryPages } from '../queries';

/** A ledger entry in words: a positive charge-kind entry is a refund of a hold. */
export function entryKind(t: TFunction, entry: LedgerEntry): string {
  if (entry.kind === 'charge' && entry.delta > 0) return t('credits.refund');
  return t(`credits.kind.${entry.kind}`);
}

export function CreditsPage() {
  const { t, i18n } = useTranslation();
  const credits = useCredits();
  const balance = useBalance();
  const history = useHistoryPages();
  const entries = history.data?.pages.flatMap((page) => page.data) ?? [];

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
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('credits.date')}</Table.Th>
              <Table.Th>{t('credits.what')}</Table.Th>
              <Table.Th>{t('credits.change')}</Table.Th>
              <Table.Th>{t('credits.balanceAfter', { amount: '' }).replace(/:\s*$/, '')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((entry) => (
              <Table.Tr key={entry.id}>
                <Table.Td>{formatDate(entry.createdAt, i18n.language)}</Table.Td>
                <Table.Td>
                  {entryKind(t, entry)}
                  {entry.reason ? ` — ${entry.reason}` : ''}
                </Table.Td>
                <Table.Td>
                  {entry.delta > 0 ? '+' : ''}
                  {credits(entry.delta)}
                </Table.Td>
                <Table.Td>{credits(entry.balanceAfter)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {history.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void history.fetchNextPage()}
          loading={history.isFetchingNextPage}
        >
          {t('app.loadMore')}
        </Button>
      )}
    </Stack>
  );
}
