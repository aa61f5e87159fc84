import type { ModalProps } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/**
 * What every dialog passes its Mantine Modal: a close button with a name (Mantine's is an icon
 * alone), and a header that is not taken for a second banner landmark (a `<header>` in a
 * `<section role="dialog">` reads as one beside the page's own).
 */
export function useDialogProps(): Pick<ModalProps, 'closeButtonProps' | 'attributes'> {
  const { t } = useTranslation();
  return {
    closeButtonProps: { 'aria-label': t('app.close') },
    attributes: { header: { role: 'none' } },
  };
}
