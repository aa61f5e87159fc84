import { useTranslation } from 'react-i18next';
import { formatCredits } from '../i18n/format';

export function useCredits() {
  const { t, i18n } = useTranslation();
  return (value: number) => formatCredits(t, value, i18n.language);
}
