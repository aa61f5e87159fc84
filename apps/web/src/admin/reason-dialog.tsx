import { Button, Group, Modal, Stack, Textarea } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDialogProps } from '../components/dialog-props';
import { ErrorAlert, fieldErrors } from '../errors/error-alert';

/** Asks for the reason a destructive action requires, then runs it; shows the API's error. */
export function ReasonDialog({
  title,
  opened,
  onClose,
  onConfirm,
}: {
  title: string;
  opened: boolean;
  onClose: () => void;
  onConfirm: (reason: string) => Promise<void>;
}) {
  const { t, i18n } = useTranslation();
  const dialogProps = useDialogProps();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Each opening is a new action: the last one's error and reason must not carry over.
  const [wasOpened, setWasOpened] = useState(opened);
  if (opened !== wasOpened) {
    setWasOpened(opened);
    if (opened) {
      setError(null);
      setReason('');
    }
  }
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm(reason);
      setReason('');
      onClose();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={title} {...dialogProps}>
      <Stack>
        <Textarea
          label={t('admin.reason')}
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          minLength={3}
          maxLength={500}
          required
          data-autofocus
          error={fieldErrors(error, i18n.language).reason}
        />
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('admin.cancel')}
          </Button>
          <Button onClick={() => void submit()} loading={busy} disabled={reason.trim().length < 3}>
            {t('admin.confirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
