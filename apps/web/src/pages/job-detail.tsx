import { ApiError } from '@jewelshot/api-client';
import { Alert, Anchor, Button, Group, Stack, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { Loading } from '../components/states';
import { ErrorAlert } from '../errors/error-alert';
import { JobView } from '../jobs/job-view';
import { useJob } from '../queries';
import { usePageTitle } from '../components/page-title';

export function JobDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const job = useJob(id);
  usePageTitle(t('job.title'));
  return (
    <Stack>
      <Title order={1}>{t('job.title')}</Title>
      {job.isPending ? (
        <Loading />
      ) : job.error ? (
        job.error instanceof ApiError && job.error.status === 404 ? (
          <Alert color="gray">{t('job.notFound')}</Alert>
        ) : (
          <ErrorAlert error={job.error} />
        )
      ) : (
        <JobView job={job.data} />
      )}
      <Group>
        <Button component={Link} to="/shots/new" variant="default">
          {t('shot.another')}
        </Button>
        <Anchor component={Link} to="/jobs">
          {t('home.seeAll')}
        </Anchor>
      </Group>
    </Stack>
  );
}
