import {
  Alert,
  Anchor,
  AppShell,
  Burger,
  Button,
  Group,
  NativeSelect,
  Stack,
  Text,
} from '@mantine/core';
import { useDisclosure, useNetwork } from '@mantine/hooks';
import { Suspense, useEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
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
  ['/files', 'app.nav.files'],
  ['/credits', 'app.nav.credits'],
  ['/account', 'app.nav.account'],
] as const;

/** Below this width the menu folds behind a menu button (the header has no room for it). */
const WIDE = 'lg';
const MENU_ID = 'main-menu';

/** The menu's links: in a row in the header on a wide screen, in a column in the fold-out menu. */
function MainNav({
  admin,
  column = false,
  onFollow,
}: {
  admin: boolean;
  column?: boolean;
  onFollow?: () => void;
}) {
  const { t } = useTranslation();
  const Items = column ? Stack : Group;
  const links: [string, string, boolean][] = [
    ...NAV.map(([to, key]): [string, string, boolean] => [to, t(key), to === '/']),
    ...(admin
      ? ([
          ['/admin', t('admin.nav'), true],
          ['/admin/abuse', t('admin.navAbuse'), false],
        ] as [string, string, boolean][])
      : []),
  ];
  return (
    <nav aria-label={t('app.mainMenu')}>
      <Items gap="sm" wrap="nowrap">
        {links.map(([to, label, end]) => (
          <Anchor key={to} component={NavLink} to={to} end={end} onClick={onFollow}>
            {label}
          </Anchor>
        ))}
      </Items>
    </nav>
  );
}

/**
 * After a navigation the user made to another page, focus goes to the new page's main region,
 * where a full page load would start a keyboard or screen reader user; otherwise it stays on the
 * link just followed (or on nothing, once that link is gone, as in the folded menu) and the new
 * page goes unannounced. Before the user has pressed a key or a pointer (the first page, and the
 * redirects on the way to it) focus is left where the browser put it; a page that put focus in
 * itself (a field it focuses) keeps it; a change of the query alone (a filter, a console tab) is
 * no new page.
 */
function useFocusOnNavigation(main: RefObject<HTMLElement | null>): void {
  const { pathname } = useLocation();
  const shown = useRef(pathname);
  const interacted = useRef(false);
  useEffect(() => {
    const mark = () => {
      interacted.current = true;
    };
    document.addEventListener('pointerdown', mark, true);
    document.addEventListener('keydown', mark, true);
    return () => {
      document.removeEventListener('pointerdown', mark, true);
      document.removeEventListener('keydown', mark, true);
    };
  }, []);
  useEffect(() => {
    if (shown.current === pathname) return;
    shown.current = pathname;
    const region = main.current;
    if (interacted.current && region && !region.contains(document.activeElement)) region.focus();
  }, [pathname, main]);
}

export function Layout() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const network = useNetwork();
  const navigate = useNavigate();
  const [menuOpened, menu] = useDisclosure(false);
  const signedIn = session.status === 'signed-in' ? session : null;
  const main = useRef<HTMLElement>(null);
  useFocusOnNavigation(main);

  const [signOutFailed, setSignOutFailed] = useState(false);

  // Signed out here only once the API has ended the session: its refresh cookie stays until
  // then, and a reload would bring the session back (on a shared computer, to the next person).
  // A 401 means the session had ended already.
  const signOut = async () => {
    menu.close();
    const ended = await api.client.POST('/v1/auth/logout').then(
      ({ response }) => response.ok || response.status === 401,
      () => false,
    );
    setSignOutFailed(!ended);
    if (!ended) return;
    // Ending the session empties the query cache (session.ts).
    api.session.signOut();
    await navigate('/sign-in');
  };

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{
        width: 260,
        breakpoint: WIDE,
        collapsed: { mobile: !(signedIn && menuOpened), desktop: true },
      }}
      padding="md"
    >
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="md" wrap="nowrap">
            {signedIn && (
              <Burger
                hiddenFrom={WIDE}
                size="sm"
                opened={menuOpened}
                onClick={menu.toggle}
                aria-label={t('app.menu')}
                aria-expanded={menuOpened}
                aria-controls={MENU_ID}
              />
            )}
            <Text fw={700} component="span">
              {t('app.name')}
            </Text>
            {signedIn && (
              <Group visibleFrom={WIDE}>
                <MainNav admin={signedIn.user.role === 'admin'} />
              </Group>
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
            {signedIn && (
              <Button variant="default" visibleFrom={WIDE} onClick={() => void signOut()}>
                {t('app.nav.signOut')}
              </Button>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      {/* The fold-out menu of a narrow screen: its links exist only while it is open, so a
          closed menu puts nothing off screen for Tab to reach. */}
      <AppShell.Navbar id={MENU_ID} p="md" hiddenFrom={WIDE}>
        {signedIn && menuOpened && (
          <Stack>
            <MainNav admin={signedIn.user.role === 'admin'} column onFollow={menu.close} />
            <Group>
              <Button variant="default" onClick={() => void signOut()}>
                {t('app.nav.signOut')}
              </Button>
            </Group>
          </Stack>
        )}
      </AppShell.Navbar>
      {/* Focusable by script only (a navigation's focus lands here), so not a Tab stop. */}
      <AppShell.Main id="main" ref={main} tabIndex={-1} className="main-region">
        {!network.online && (
          <Alert color="yellow" mb="md" role="status">
            {t('app.offline')}
          </Alert>
        )}
        {signedIn && signOutFailed && (
          <Alert
            color="red"
            mb="md"
            role="alert"
            withCloseButton
            onClose={() => setSignOutFailed(false)}
            closeButtonLabel={t('app.close')}
          >
            {t('app.signOutFailed')}
          </Alert>
        )}
        {signedIn && <VerifyBanner />}
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
