import { Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { NotFoundPage } from '../pages/not-found';
import { reloadPage } from './reload-page';
import { usePageTitle } from './page-title';

/**
 * What browsers reject the import() of a page's chunk with when it cannot be fetched (the API
 * restarting, a redeploy that renamed the chunks, a dropped connection): Chromium, Firefox and
 * Safari word it differently; Vite's preloading of a chunk's CSS says so too.
 */
const CHUNK_LOAD_FAILED =
  /dynamically imported module|importing a module script failed|unable to preload css/i;

export function isChunkLoadError(error: unknown): boolean {
  return error instanceof Error && CHUNK_LOAD_FAILED.test(error.message);
}

/**
 * The routes' error element, instead of React Router's developer page: a page whose chunk did
 * not load offers a reload (what recovers after a redeploy); anything else gets plain words and
 * a way home, never the error's own text or stack (they are in the console for developers).
 * Set on each page route, it renders inside the layout, menu kept; on the layout route it
 * catches what the layout itself throws (`padded`: there it stands alone, outside the layout).
 */
export function RouteError({ padded = false }: { padded?: boolean }) {
  const { t } = useTranslation();
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  const chunk = isChunkLoadError(error);
  usePageTitle(
    t(
      notFound
        ? 'pageErrors.notFoundTitle'
        : chunk
          ? 'pageErrors.loadFailedTitle'
          : 'pageErrors.crashedTitle',
    ),
  );
  if (notFound) return <NotFoundPage />;
  const home = (
    <Anchor component={Link} to="/">
      {t('pageErrors.home')}
    </Anchor>
  );
  const p = padded ? 'md' : undefined;
  if (chunk) {
    return (
      <Stack align="flex-start" role="alert" p={p}>
        <Title order={1}>{t('pageErrors.loadFailedTitle')}</Title>
        <Text>{t('pageErrors.loadFailed')}</Text>
        <Group>
          <Button onClick={() => reloadPage()}>{t('app.retry')}</Button>
          {home}
        </Group>
      </Stack>
    );
  }
  return (
    <Stack align="flex-start" role="alert" p={p}>
      <Title order={1}>{t('pageErrors.crashedTitle')}</Title>
      <Text>{t('pageErrors.crashed')}</Text>
      {home}
    </Stack>
  );
}
