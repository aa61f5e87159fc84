import { Alert, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { describeError } from './messages';

/** The form-level message for an error; field messages go next to their fields (useFieldErrors). */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  const text = describeError(error, i18n.language);
  return (
    <Alert color="red" role="alert" title={text.message}>
      {text.retryAfterSeconds !== null && (
        <Text size="sm">{t('errors.retryIn', { seconds: text.retryAfterSeconds })}</Text>
      )}
      {text.requestId && (
        <Text size="xs" c="dimmed">
          {t('errors.requestId', { id: text.requestId })}
        </Text>
      )}
    </Alert>
  );
}

/** The API's per-field validation messages (details), keyed by field name. */
export function fieldErrors(error: unknown, language: string): Record<string, string> {
  return error ? describeError(error, language).fields : {};
}
