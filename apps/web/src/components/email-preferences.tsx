import { unwrap } from '@jewelshot/api-client';
import { Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorAlert } from '../errors/error-alert';

const TYPES = ['job-failed', 'batch-finished', 'low-credits', 'welcome'] as const;

/** One switch per type of mail that can be turned off; security mail always arrives. */
export function EmailPreferences() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const key = ['me', 'email-preferences'];
  const prefs = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.client.GET('/v1/me/email-preferences')),
  });
  const save = useMutation({
    mutationFn: (change: Partial<Record<(typeof TYPES)[number], boolean>>) =>
      unwrap(api.client.PUT('/v1/me/email-preferences', { body: change })),
    onSuccess: (data) => queryClient.setQueryData(key, data),
  });
  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={2} size="h4">
          {t('mail.preferencesTitle')}
        </Title>
        <Text size="sm">{t('mail.preferencesHint')}</Text>
        <ErrorAlert error={prefs.error ?? save.error} />
        {prefs.data &&
          TYPES.map((type) => (
            <Switch
              key={type}
              label={t(`mail.types.${type}`)}
              checked={prefs.data[type]}
              disabled={save.isPending}
              onChange={(event) => save.mutate({ [type]: event.currentTarget.checked })}
            />
          ))}
      </Stack>
    </Paper>
  );
}
