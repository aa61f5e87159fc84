import { unwrap } from '@jewelshot/api-client';
import { Alert, Anchor, Loader, Paper, Stack, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api';
import { ErrorAlert } from '../errors/error-alert';
import { keys } from '../queries';
import { usePageTitle } from '../components/page-title';

/** The target of a verify mail's link: verifies the address as soon as it opens. */
export function VerifyEmailPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  usePageTitle(t('mail.verifyTitle'));
  const queryClient = useQueryClient();
  const verify = useMutation({
    mutationFn: () => unwrap(api.client.POST('/v1/auth/verify-email', { body: { token } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.me }),
  });
  const { mutate } = verify;
  // The token works once: send it once per page, even when React runs the effect twice
  // (StrictMode in development mounts, unmounts and mounts again; the ref survives that).
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (sent.current === token) return;
    sent.current = token;
    mutate();
  }, [mutate, token]);
  return (
    <Paper maw={420} mx="auto" mt="xl" p="lg" withBorder>
      <Stack>
        <Title order={1} size="h2">
          {t('mail.verifyTitle')}
        </Title>
        {verify.isSuccess ? (
          <Alert color="green" role="status">
            {t('mail.verifyDone')}
          </Alert>
        ) : verify.isError ? (
          <ErrorAlert error={verify.error} />
        ) : (
          <Loader aria-label={t('app.loading')} />
        )}
        <Anchor component={Link} to="/">
          {t('app.nav.home')}
        </Anchor>
      </Stack>
    </Paper>
  );
}
