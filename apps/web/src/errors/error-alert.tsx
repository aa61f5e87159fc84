import { Alert, Anchor, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useInRouterContext } from 'react-router';
import { describeError } from './messages';

/**
 * The form-level message for an error; field messages go next to their fields (useFieldErrors).
 * An upload refused for the storage quota links to the Files page, where space is freed;
 * `children` adds what only the caller knows (the jobs that still use a file).
 */
export function ErrorAlert({ error, children }: { error: unknown; children?: ReactNode }) {
  const { t, i18n } = useTranslation();
  const routed = useInRouterContext();
  if (!error) return null;
  const text = describeError(error, i18n.language);
  return (
    <Alert color="red" role="alert" title={text.message}>
      {text.storageFull && (
        <Text size="sm">
          {routed ? (
            <Anchor component={Link} to="/files">
              {t('files.freeSpace')}
            </Anchor>
          ) : (
            <Anchor href="/files">{t('files.freeSpace')}</Anchor>
          )}
        </Text>
      )}
      {children}
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
