import { unwrap } from '@jewelshot/api-client';
import { Alert, Anchor, Button, Paper, PasswordInput, Stack, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api';
import { ErrorAlert, fieldErrors } from '../errors/error-alert';
import { usePageTitle } from '../components/page-title';

/** The target of a reset mail's link: sets a new password with the link's token. */
export function ResetPasswordPage() {
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: () =>
      unwrap(api.client.POST('/v1/auth/password-reset/confirm', { body: { token, password } })),
  });
  const fields = fieldErrors(reset.error, i18n.language);
  usePageTitle(t('mail.resetTitle'));
  return (
    <Paper maw={420} mx="auto" mt="xl" p="lg" withBorder>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          reset.mutate();
        }}
      >
        <Stack>
          <Title order={1} size="h2">
            {t('mail.resetTitle')}
          </Title>
          {reset.isSuccess ? (
            <>
              <Alert color="green" role="status">
                {t('mail.resetDone')}
              </Alert>
              <Anchor component={Link} to="/sign-in">
                {t('auth.signIn')}
              </Anchor>
            </>
          ) : (
            <>
              <ErrorAlert error={reset.error} />
              <PasswordInput
                label={t('account.newPassword')}
                description={t('auth.passwordHint')}
                autoComplete="new-password"
                required
                value={password}
                onChange={(event) => setPassword(event.currentTarget.value)}
                error={fields.password}
              />
              <Button type="submit" loading={reset.isPending}>
                {t('mail.resetSubmit')}
              </Button>
            </>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
