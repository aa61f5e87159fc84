import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from './api';
import { App } from './app';
import { reloadPage } from './components/reload-page';
import { i18n } from './i18n';
import { authOf, fakeApi } from './test/fake-api';

// A full reload cannot happen under jsdom: the test sees that one was asked for.
vi.mock('./components/reload-page', () => ({ reloadPage: vi.fn() }));
// The Credits page's chunk cannot be fetched (the API restarted, or a redeploy renamed it),
// with the words Chromium uses; the Gallery page throws while it renders.
vi.mock('./pages/credits', () => ({
  get CreditsPage(): never {
    throw new TypeError(
      'Failed to fetch dynamically imported module: http://localhost/assets/credits-C0ffee.js',
    );
  },
}));
vi.mock('./pages/gallery', () => ({
  GalleryPage: () => {
    throw new Error('gallery exploded: secret internals at gallery.tsx:42');
  },
}));

describe('a page that cannot be shown', () => {
  const warn = vi.fn();
  beforeAll(async () => {
    await i18n.changeLanguage('en');
    vi.stubGlobal('fetch', vi.fn(fakeApi().fetchFn));
    api.session.signIn(authOf('alice'));
  });
  beforeEach(async () => {
    // React Router's warnings are checked below; React logs the error a page threw (expected).
    vi.spyOn(console, 'warn').mockImplementation(warn);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // The router is the app's one instance: each test goes on from where the last one left it.
    render(<App />);
    expect(await screen.findByRole('navigation', { name: 'Main' })).toBeInTheDocument();
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('loads the first page without React Router asking for a HydrateFallback', async () => {
    expect(await screen.findByTestId('balance')).toHaveTextContent('7 credits');
    const messages = warn.mock.calls.map((call) => String(call[0]));
    expect(messages.filter((message) => message.includes('HydrateFallback'))).toEqual([]);
  });

  it('offers a reload, menu kept, when its chunk failed to load', async () => {
    const user = userEvent.setup();
    await user.click(screen.getByRole('link', { name: 'Credits' }));
    expect(
      await screen.findByRole('heading', { name: 'This page could not be loaded' }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/dynamically imported module/)).toBeNull();
    expect(screen.queryByText(/Unexpected Application Error/)).toBeNull();
    // The layout stays: the menu still takes the seller elsewhere.
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(reloadPage).toHaveBeenCalledTimes(1);
  }, 30_000);

  it('says so in plain words, with a way home, when a page throws', async () => {
    const user = userEvent.setup();
    await user.click(screen.getByRole('link', { name: 'Gallery' }));
    expect(await screen.findByRole('heading', { name: 'Something went wrong' })).toBeVisible();
    expect(screen.queryByText(/exploded|secret internals|gallery\.tsx/)).toBeNull();
    expect(screen.queryByText(/Unexpected Application Error|Hey developer/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeInTheDocument();

    await user.click(screen.getByRole('link', { name: 'Go to the home page' }));
    expect(await screen.findByRole('heading', { name: 'Home' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Something went wrong' })).toBeNull();
  }, 30_000);
});
