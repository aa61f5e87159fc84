import { ApiError, unwrap } from '@jewelshot/api-client';
import { Alert, Anchor, Button, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../api';
import { Loading } from '../components/states';
import { EmailPreferences } from '../components/email-preferences';
import { ErrorAlert, fieldErrors } from '../errors/error-alert';
import { formatDate } from '../i18n/format';
import { useMe } from '../queries';
import { usePageTitle } from '../components/page-title';

export function AccountPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');

  const change = useMutation({
    mutationFn: () =>
      unwrap(api.client.POST('/v1/me/password', { body: { currentPassword, newPassword } })),
    onSuccess: () => {
      setCurrent('');
      setNew('');
    },
  });

  // Ends every session of the account, this one included.
  const signOutEverywhere = useMutation({
    mutationFn: async () => {
      // Signed out here only once the API has ended the sessions (else a reload brings this one
      // back); a failure is shown below the button. A 401: the session had ended already.
      await unwrap(api.client.POST('/v1/auth/logout-all')).catch((error: unknown) => {
        if (!(error instanceof ApiError && error.status === 401)) throw error;
      });
      // Ending the session empties the query cache (session.ts).
      api.session.signOut();
      await navigate('/sign-in');
    },
  });

  const fields = fieldErrors(change.error, i18n.language);
  usePageTitle(t('account.title'));
  return (
    <Stack maw={520}>
      <Title order={1}>{t('account.title')}</Title>
      {me.isPending ? (
        <Loading />
      ) : me.error ? (
        <ErrorAlert error={me.error} />
      ) : (
        <Stack gap={2}>
          <Text fw={500}>{me.data.email}</Text>
          <Text size="sm">
            {t('account.memberSince')}: {formatDate(me.data.createdAt, i18n.language)}
          </Text>
        </Stack>
      )}
      <Paper withBorder p="md">
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            change.mutate();
          }}
        >
          <Stack>
            <Title order={2} size="h4">
              {t('account.changePassword')}
            </Title>
            {change.isSuccess && (
              <Alert color="green" role="status">
                {t('account.passwordChanged')}
              </Alert>
            )}
            <ErrorAlert error={change.error} />
            <PasswordInput
              label={t('account.currentPassword')}
              autoComplete="current-password"
              value={currentPassword}
              onChange={(event) => setCurrent(event.currentTarget.value)}
              error={fields.currentPassword}
            />
            <PasswordInput
              label={t('account.newPassword')}
              description={t('auth.passwordHint')}
              autoComplete="new-password"
              value={newPassword}
              onChange={(event) => setNew(event.currentTarget.value)}
              error={fields.newPassword}
            />
            <Button type="submit" loading={change.isPending}>
              {t('account.changePassword')}
            </Button>
          </Stack>
        </form>
      </Paper>
      <EmailPreferences />
      <Anchor component={Link} to="/account/webhooks">
        {t('webhooks.link')}
      </Anchor>
      <Paper withBorder p="md">
        <Stack>
          <Title order={2} size="h4">
            {t('apiKeys.title')}
          </Title>
          <Anchor component={Link} to="/account/api-keys">
            {t('apiKeys.manage')}
          </Anchor>
        </Stack>
      </Paper>
      <Paper withBorder p="md">
        <Stack>
          <Text size="sm">{t('account.signOutEverywhereHint')}</Text>
          <Button color="red" variant="outline" onClick={() => signOutEverywhere.mutate()}>
            {t('account.signOutEverywhere')}
          </Button>
          {signOutEverywhere.error && <ErrorAlert error={signOutEverywhere.error} />}
        </Stack>
      </Paper>
    </Stack>
  );
}
