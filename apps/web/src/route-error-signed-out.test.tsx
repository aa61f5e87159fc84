import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from './test/fake-api';

// The Sign-up page's chunk cannot be fetched (a redeploy renamed it), as Chromium words it.
vi.mock('./pages/sign-up', () => ({
  get SignUpPage(): never {
    throw new TypeError(
      'Failed to fetch dynamically imported module: http://localhost/assets/sign-up-C0ffee.js',
    );
  },
}));

/** The app as a signed-out visitor opens it at `path` (the router reads it when it loads). */
async function openAt(path: string) {
  vi.resetModules();
  window.history.replaceState(null, '', path);
  const [{ App }, { i18n }] = await Promise.all([import('./app'), import('./i18n')]);
  await i18n.changeLanguage('en');
  return App;
}

describe('a signed-out page that cannot be loaded', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('offers a reload when reached from another page (it was a blank page)', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.stubGlobal('fetch', vi.fn(fakeApi().fetchFn));
    const App = await openAt('/sign-in');
    render(<App />);
    await userEvent.click(await screen.findByRole('link', { name: 'Create account' }));
    expect(
      await screen.findByRole('heading', { name: 'This page could not be loaded' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  }, 30_000);

  it('offers a reload when opened directly', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.stubGlobal('fetch', vi.fn(fakeApi().fetchFn));
    const App = await openAt('/sign-up');
    render(<App />);
    expect(
      await screen.findByRole('heading', { name: 'This page could not be loaded' }),
    ).toBeInTheDocument();
  }, 30_000);
});
