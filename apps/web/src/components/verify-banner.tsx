import { unwrap } from '@jewelshot/api-client';
import { Alert, Button, Group, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useMe } from '../queries';

/** Shown while the signed-in user's address is not verified, with a button for another link. */
export function VerifyBanner() {
  const { t } = useTranslation();
  const me = useMe();
  const resend = useMutation({
    mutationFn: () => unwrap(api.client.POST('/v1/me/verify-email/resend')),
  });
  if (!me.data || me.data.emailVerified) return null;
  return (
    <Alert color="yellow" role="status" mb="md">
      <Group justify="space-between">
        <Text size="sm">{resend.isSuccess ? t('mail.verifySent') : t('mail.verifyBanner')}</Text>
        {!resend.isSuccess && (
          <Button
            size="xs"
            variant="outline"
            loading={resend.isPending}
            onClick={() => resend.mutate()}
          >
            {t('mail.verifyResend')}
          </Button>
        )}
      </Group>
    </Alert>
  );
}
