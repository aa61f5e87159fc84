import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useDialogProps } from './dialog-props';

/** What a destructive action asks before it runs: what will happen, and the button that does it. */
export interface Confirmation {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
}

/**
 * A one-step confirmation for destructive actions (revoke, rotate, delete): `ask(...)` opens a
 * modal saying what will happen; only its confirm button runs the action. Render `dialog` once.
 */
export function useConfirm(): { ask: (confirmation: Confirmation) => void; dialog: ReactNode } {
  const { t } = useTranslation();
  const dialogProps = useDialogProps();
  // The last confirmation stays while the modal fades out, so its text does not blank.
  const [pending, setPending] = useState<Confirmation | null>(null);
  const [opened, setOpened] = useState(false);
  const close = () => setOpened(false);
  const ask = (confirmation: Confirmation) => {
    setPending(confirmation);
    setOpened(true);
  };
  const dialog = (
    <Modal opened={opened} onClose={close} title={pending?.title} {...dialogProps}>
      <Stack>
        <Text size="sm">{pending?.message}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={close} data-autofocus>
            {t('app.cancel')}
          </Button>
          <Button
            color="red"
            onClick={() => {
              close();
              pending?.onConfirm();
            }}
          >
            {pending?.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
  return { ask, dialog };
}
