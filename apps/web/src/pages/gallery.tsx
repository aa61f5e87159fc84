import { SimpleGrid, Stack, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { JobCard } from '../components/job-card';
import { Empty, LoadMore, Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { useJobsPages } from '../queries';
import { usePageTitle } from '../components/page-title';

export function GalleryPage() {
  const { t } = useTranslation();
  const jobs = useJobsPages('succeeded');
  const all = jobs.data?.pages.flatMap((page) => page.data) ?? [];
  usePageTitle(t('gallery.title'));
  return (
    <Stack>
      <Title order={1}>{t('gallery.title')}</Title>
      {jobs.isPending ? (
        <Loading />
      ) : jobs.error ? (
        <ErrorAlert error={jobs.error} />
      ) : all.length === 0 ? (
        <Empty>{t('gallery.empty')}</Empty>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
          {all.map((job) => (
            <JobCard key={job.id} job={job} />
          ))}
        </SimpleGrid>
      )}
      <LoadMore list={jobs} />
    </Stack>
  );
}
