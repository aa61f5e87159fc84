import { createTheme, MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { Layout } from './components/layout';
import { RequireAuth } from './components/require-auth';
import { RouteError } from './components/route-error';
import { NotFoundPage } from './pages/not-found';
import { queryClient } from './query-client';
import { useSession } from './session';

// Every page is its own chunk (route-level lazy loading keeps the initial JS small). The pages
// sit under routes that are not lazy and carry an error element (a chunk that failed to load, a
// page that threw), so the error shows inside the layout, menu kept; the layout's own catches
// what the layout throws. While the first page's chunk loads, the layout shows without a page
// (`hydrateFallbackElement`).
const router = createBrowserRouter([
  {
    element: <Layout />,
    errorElement: <RouteError padded />,
    hydrateFallbackElement: <Layout />,
    children: [
      {
        // The signed-out pages, under a route that is not lazy: a page's own error element is
        // not reached when its chunk fails to load (the page stayed blank), a parent's is.
        errorElement: <RouteError />,
        children: [
          {
            path: '/sign-in',
            lazy: () => import('./pages/sign-in').then((m) => ({ Component: m.SignInPage })),
          },
          {
            path: '/sign-up',
            lazy: () => import('./pages/sign-up').then((m) => ({ Component: m.SignUpPage })),
          },
          {
            path: '/forgot-password',
            lazy: () =>
              import('./pages/forgot-password').then((m) => ({ Component: m.ForgotPasswordPage })),
          },
          {
            path: '/reset-password',
            lazy: () =>
              import('./pages/reset-password').then((m) => ({ Component: m.ResetPasswordPage })),
          },
          {
            path: '/verify-email',
            lazy: () =>
              import('./pages/verify-email').then((m) => ({ Component: m.VerifyEmailPage })),
          },
          {
            path: '/unsubscribe',
            lazy: () =>
              import('./pages/unsubscribe').then((m) => ({ Component: m.UnsubscribePage })),
          },
        ],
      },
      {
        element: <RequireAuth />,
        errorElement: <RouteError />,
        children: [
          {
            path: '/',
            lazy: () => import('./pages/home').then((m) => ({ Component: m.HomePage })),
          },
          {
            path: '/shots/new',
            lazy: () => import('./pages/new-shot').then((m) => ({ Component: m.NewShotPage })),
          },
          {
            path: '/jobs',
            lazy: () => import('./pages/jobs').then((m) => ({ Component: m.JobsPage })),
          },
          {
            path: '/jobs/:id',
            lazy: () => import('./pages/job-detail').then((m) => ({ Component: m.JobDetailPage })),
          },
          {
            path: '/gallery',
            lazy: () => import('./pages/gallery').then((m) => ({ Component: m.GalleryPage })),
          },
          {
            path: '/files',
            lazy: () => import('./pages/files').then((m) => ({ Component: m.FilesPage })),
          },
          {
            path: '/batches',
            lazy: () => import('./pages/batches').then((m) => ({ Component: m.BatchesPage })),
          },
          {
            path: '/batches/:id',
            lazy: () =>
              import('./pages/batch-detail').then((m) => ({ Component: m.BatchDetailPage })),
          },
          {
            path: '/credits',
            lazy: () => import('./pages/credits').then((m) => ({ Component: m.CreditsPage })),
          },
          {
            path: '/admin',
            lazy: () => import('./pages/admin').then((m) => ({ Component: m.AdminPage })),
          },
          {
            path: '/admin/abuse',
            lazy: () =>
              import('./pages/admin-abuse').then((m) => ({ Component: m.AdminAbusePage })),
          },
          {
            path: '/admin/users/:id',
            lazy: () => import('./pages/admin-user').then((m) => ({ Component: m.AdminUserPage })),
          },
          {
            path: '/account',
            lazy: () => import('./pages/account').then((m) => ({ Component: m.AccountPage })),
          },
          {
            path: '/account/webhooks',
            lazy: () => import('./pages/webhooks').then((m) => ({ Component: m.WebhooksPage })),
          },
          {
            path: '/account/api-keys',
            lazy: () => import('./pages/api-keys').then((m) => ({ Component: m.ApiKeysPage })),
          },
        ],
      },
      // Any other address, signed in or out: a not-found page in the layout, with a way home.
      { path: '*', element: <NotFoundPage />, errorElement: <RouteError /> },
    ],
  },
]);

// Shade 8 of the primary colour keeps white button text and links at WCAG AA contrast (4.5:1).
const theme = createTheme({ primaryShade: 8 });

/**
 * The routed tree, keyed by whose session this tab has: when the signed-in user changes (a
 * sign-in, or a refresh that answers for whoever signed in last in another tab) or the session
 * ends, every page, its component state and its query observers are unmounted and mounted
 * afresh. Emptying the query cache (session.ts) is not enough on its own: a mounted observer
 * keeps its last result, so a page already on screen would go on showing the previous user's data.
 */
function Routes() {
  const session = useSession();
  const key = session.status === 'signed-in' ? `user:${session.user.id}` : 'signed-out';
  return <RouterProvider key={key} router={router} />;
}

export function App() {
  return (
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <Routes />
      </QueryClientProvider>
    </MantineProvider>
  );
}
