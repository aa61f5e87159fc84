import { unwrap } from '@jewelshot/api-client';
import { Alert, Button, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../api';
import { ErrorAlert } from '../errors/error-alert';
import { usePageTitle } from '../components/page-title';

/** The footer link of a non-security mail: confirms, then turns that type of mail off (no login). */
export function UnsubscribePage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  usePageTitle(t('mail.unsubscribeTitle'));
  const stop = useMutation({
    mutationFn: () =>
      unwrap(api.client.POST('/v1/email/unsubscribe', { params: { query: { token } } })),
  });
  return (
    <Paper maw={420} mx="auto" mt="xl" p="lg" withBorder>
      <Stack>
        <Title order={1} size="h2">
          {t('mail.unsubscribeTitle')}
        </Title>
        {stop.isSuccess ? (
          <Alert color="green" role="status">
            {t('mail.unsubscribed', { type: t(`mail.types.${stop.data.type}`) })}
          </Alert>
        ) : (
          <>
            <ErrorAlert error={stop.error} />
            <Text>{t('mail.unsubscribeHint')}</Text>
            <Button onClick={() => stop.mutate()} loading={stop.isPending}>
              {t('mail.unsubscribeSubmit')}
            </Button>
          </>
        )}
      </Stack>
    </Paper>
  );
}
