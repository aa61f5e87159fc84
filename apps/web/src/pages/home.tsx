import { Anchor, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCredits } from '../components/credits-text';
import { JobCard } from '../components/job-card';
import { Empty, Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { useBalance, useJobsPages, usePrices } from '../queries';
import { usePageTitle } from '../components/page-title';

export function HomePage() {
  const { t } = useTranslation();
  const credits = useCredits();
  const balance = useBalance();
  const prices = usePrices();
  const jobs = useJobsPages();
  const latest = jobs.data?.pages[0]?.data.slice(0, 8) ?? [];
  usePageTitle(t('home.title'));

  return (
    <Stack>
      <Title order={1}>{t('home.title')}</Title>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4">
            {t('credits.balance')}
          </Title>
          {balance.isPending ? (
            <Loading />
          ) : balance.error ? (
            <ErrorAlert error={balance.error} />
          ) : (
            <Stack gap={2}>
              <Text size="xl" fw={700} data-testid="balance">
                {credits(balance.data.available)}
              </Text>
              <Text size="sm" c="dimmed">
                {t('credits.reserved')}: {credits(balance.data.reserved)}
              </Text>
            </Stack>
          )}
        </Card>
        <Card withBorder>
          <Title order={2} size="h4">
            {t('credits.prices')}
          </Title>
          {prices.isPending ? (
            <Loading />
          ) : prices.error ? (
            <ErrorAlert error={prices.error} />
          ) : prices.data.length === 0 ? (
            <Empty>—</Empty>
          ) : (
            <Table>
              <Table.Tbody>
                {prices.data.map((price) => (
                  <Table.Tr key={price.operation}>
                    <Table.Td>{t(`operation.${price.operation}`, price.operation)}</Table.Td>
                    <Table.Td>{credits(price.credits)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      </SimpleGrid>
      <Group justify="space-between">
        <Group>
          <Title order={2}>{t('home.latestJobs')}</Title>
          <Anchor component={Link} to="/jobs">
            {t('home.seeAll')}
          </Anchor>
        </Group>
        <Button component={Link} to="/shots/new">
          {t('home.startShot')}
        </Button>
      </Group>
      {jobs.isPending ? (
        <Loading />
      ) : jobs.error ? (
        <ErrorAlert error={jobs.error} />
      ) : latest.length === 0 ? (
        <Empty>{t('home.noJobs')}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
          {latest.map((job) => (
            <JobCard key={job.id} job={job} />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
