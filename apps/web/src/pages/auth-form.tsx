import { ApiError, unwrap } from '@jewelshot/api-client';
import {
  Alert,
  Anchor,
  Button,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { api } from '../api';
import { returnPathAfterSignIn, type SignInState } from '../auth/session-user';
import { ErrorAlert, fieldErrors } from '../errors/error-alert';
import { describeError } from '../errors/messages';
import { usePageTitle } from '../components/page-title';

export function AuthForm({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as SignInState;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const submit = useMutation({
    mutationFn: () =>
      unwrap(
        mode === 'sign-in'
          ? api.client.POST('/v1/auth/login', {
              body: { email, password, refreshTokenDelivery: api.refreshTokenDelivery },
            })
          : api.client.POST('/v1/auth/register', {
              body: {
                email,
                password,
                refreshTokenDelivery: api.refreshTokenDelivery,
                language: i18n.language === 'tr' ? 'tr' : 'en',
              },
            }),
      ),
    onSuccess: async (auth) => {
      // Signing in empties the query cache (session.ts): nothing of a previous user shows.
      api.session.signIn(auth);
      await navigate(returnPathAfterSignIn(state, auth.user.id), { replace: true });
    },
  });

  const fields = fieldErrors(submit.error, i18n.language);
  usePageTitle(t(mode === 'sign-in' ? 'auth.signInTitle' : 'auth.signUpTitle'));
  const banned =
    state.reason === 'banned' ||
    (submit.error instanceof ApiError && submit.error.code === 'ACCOUNT_BANNED');
  // Signing up with an email that has an account: say so, and offer the way in.
  const emailTaken =
    mode === 'sign-up' &&
    submit.error instanceof ApiError &&
    submit.error.conflictReason === 'EMAIL_TAKEN';

  return (
    <Paper maw={420} mx="auto" mt="xl" p="lg" withBorder>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit.mutate();
        }}
      >
        <Stack>
          <Title order={1} size="h2">
            {t(mode === 'sign-in' ? 'auth.signInTitle' : 'auth.signUpTitle')}
          </Title>
          {banned ? (
            <Alert color="red" role="alert">
              {t('auth.banned')}
            </Alert>
          ) : emailTaken ? (
            <Alert
              color="red"
              role="alert"
              title={describeError(submit.error, i18n.language).message}
            >
              <Group gap="md">
                <Anchor component={Link} to="/sign-in" size="sm">
                  {t('auth.signIn')}
                </Anchor>
                <Anchor component={Link} to="/forgot-password" size="sm">
                  {t('mail.forgotTitle')}
                </Anchor>
              </Group>
            </Alert>
          ) : (
            <>
              {state.reason === 'expired' && !submit.error && (
                <Alert color="yellow" role="status">
                  {t('auth.expired')}
                </Alert>
              )}
              <ErrorAlert error={submit.error} />
            </>
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
          <PasswordInput
            label={t('auth.password')}
            autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
            required
            description={mode === 'sign-up' ? t('auth.passwordHint') : undefined}
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            error={fields.password}
          />
          <Button type="submit" loading={submit.isPending}>
            {t(mode === 'sign-in' ? 'auth.signIn' : 'auth.signUp')}
          </Button>
          {mode === 'sign-in' && (
            <Anchor component={Link} to="/forgot-password" size="sm">
              {t('mail.forgotLink')}
            </Anchor>
          )}
          <Text size="sm">
            {t(mode === 'sign-in' ? 'auth.noAccount' : 'auth.haveAccount')}{' '}
            <Anchor component={Link} to={mode === 'sign-in' ? '/sign-up' : '/sign-in'}>
              {t(mode === 'sign-in' ? 'auth.signUp' : 'auth.signIn')}
            </Anchor>
          </Text>
        </Stack>
      </form>
    </Paper>
  );
}
