import { unwrap } from '@jewelshot/api-client';
import { Alert, Anchor, Button, Paper, Stack, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { ErrorAlert, fieldErrors } from '../errors/error-alert';
import { usePageTitle } from '../components/page-title';

/** Asks for a reset link; the answer is the same whether or not the address has an account. */
export function ForgotPasswordPage() {
  const { t, i18n } = useTranslation();
  const [email, setEmail] = useState('');
  const ask = useMutation({
    mutationFn: () => unwrap(api.client.POST('/v1/auth/password-reset', { body: { email } })),
  });
  const fields = fieldErrors(ask.error, i18n.language);
  usePageTitle(t('mail.forgotTitle'));
  return (
    <Paper maw={420} mx="auto" mt="xl" p="lg" withBorder>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          ask.mutate();
        }}
      >
        <Stack>
          <Title order={1} size="h2">
            {t('mail.forgotTitle')}
          </Title>
          {ask.isSuccess ? (
            <Alert color="green" role="status">
              {t('mail.forgotSent')}
            </Alert>
          ) : (
            <ErrorAlert error={ask.error} />
          )}
          <TextInput
            label={t('auth.email')}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.currentTarget.value)}
            error={fields.email}
          />
          <Button type="submit" loading={ask.isPending}>
            {t('mail.forgotSubmit')}
          </Button>
          <Anchor component={Link} to="/sign-in" size="sm">
            {t('auth.signIn')}
          </Anchor>
        </Stack>
      </form>
    </Paper>
  );
}
