import { Anchor, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { usePageTitle } from '../components/page-title';

/** An address the app has no page for (the catch-all route), inside the layout and its menu. */
export function NotFoundPage() {
  const { t } = useTranslation();
  usePageTitle(t('pageErrors.notFoundTitle'));
  return (
    <Stack align="flex-start">
      <Title order={1}>{t('pageErrors.notFoundTitle')}</Title>
      <Text>{t('pageErrors.notFound')}</Text>
      <Anchor component={Link} to="/">
        {t('pageErrors.home')}
      </Anchor>
    </Stack>
  );
}
