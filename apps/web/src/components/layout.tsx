import { Alert, Anchor, AppShell, Button, Group, NativeSelect, Text } from '@mantine/core';
import { useNetwork } from '@mantine/hooks';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { api } from '../api';
import { setLanguage, type Language } from '../i18n';
import { useSession } from '../session';
import { VerifyBanner } from './verify-banner';
import { Loading } from './states';

const NAV = [
  ['/', 'app.nav.home'],
  ['/shots/new', 'app.nav.newShot'],
  ['/jobs', 'app.nav.jobs'],
  ['/batches', 'app.nav.batches'],
  ['/gallery', 'app.nav.gallery'],
  ['/credits', 'app.nav.credits'],
  ['/account', 'app.nav.account'],
] as const;

export function Layout() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const network = useNetwork();
  const navigate = useNavigate();

  const signOut = async () => {
    await api.client.POST('/v1/auth/logout').catch(() => undefined);
    // Ending the session empties the query cache (session.ts).
    api.session.signOut();
    await navigate('/sign-in');
  };

  return (
    <AppShell header={{ height: 60 }} padding="md">
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="md" wrap="nowrap">
            <Text fw={700} component="span">
              {t('app.name')}
            </Text>
            {session.status === 'signed-in' && (
              <nav aria-label="Main">
                <Group gap="sm" wrap="nowrap">
                  {NAV.map(([to, key]) => (
                    <Anchor key={to} component={NavLink} to={to} end={to === '/'}>
                      {t(key)}
                    </Anchor>
                  ))}
                  {session.user.role === 'admin' && (
                    <>
                      <Anchor component={NavLink} to="/admin" end>
                        {t('admin.nav')}
                      </Anchor>
                      <Anchor component={NavLink} to="/admin/abuse">
                        {t('admin.navAbuse')}
                      </Anchor>
                    </>
                  )}
                </Group>
              </nav>
            )}
          </Group>
          <Group gap="sm" wrap="nowrap">
            <NativeSelect
              aria-label={t('app.language')}
              value={i18n.language.startsWith('tr') ? 'tr' : 'en'}
              onChange={(event) => setLanguage(event.currentTarget.value as Language)}
              data={[
                { value: 'en', label: 'English' },
                { value: 'tr', label: 'Türkçe' },
              ]}
            />
            {session.status === 'signed-in' && (
              <Button variant="default" onClick={() => void signOut()}>
                {t('app.nav.signOut')}
              </Button>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main id="main">
        {!network.online && (
          <Alert color="yellow" mb="md" role="status">
            {t('app.offline')}
          </Alert>
        )}
        {session.status === 'signed-in' && <VerifyBanner />}
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
