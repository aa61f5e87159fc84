import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Names the page in the browser's tab, history and a screen reader's announcement of it: the
 * page's own heading (or `title`), then the app's name, in the language chosen. Every page calls
 * it, so no two pages share a title.
 */
export function usePageTitle(title: string): void {
  const { t } = useTranslation();
  const app = t('app.name');
  useEffect(() => {
    document.title = title.includes(app) ? title : `${title} · ${app}`;
  }, [title, app]);
}
