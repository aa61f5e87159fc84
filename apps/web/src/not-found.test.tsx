import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authOf, fakeApi } from './test/fake-api';

/**
 * The app as a browser opens it at `path`: its router reads the address when the module loads,
 * so each test loads the app afresh.
 */
async function openAt(path: string) {
  vi.resetModules();
  window.history.replaceState(null, '', path);
  const [{ App }, { api }, { i18n }] = await Promise.all([
    import('./app'),
    import('./api'),
    import('./i18n'),
  ]);
  await i18n.changeLanguage('en');
  return { App, api };
}

describe('an address the app has no page for', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('shows a not-found page inside the layout, menu kept, with a link home', async () => {
    vi.stubGlobal('fetch', vi.fn(fakeApi().fetchFn));
    const { App, api } = await openAt('/nope');
    api.session.signIn(authOf('alice'));
    render(<App />);

    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    expect(screen.queryByText(/Unexpected Application Error|404 Not Found/)).toBeNull();
    const menu = within(screen.getByRole('navigation', { name: 'Main' }));
    // The whole menu, the jobs history among it.
    expect(menu.getByRole('link', { name: 'Jobs' })).toHaveAttribute('href', '/jobs');

    await userEvent.click(screen.getByRole('link', { name: 'Go to the home page' }));
    expect(await screen.findByRole('heading', { name: 'Home' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/');
  }, 30_000);

  it('shows the same page to a signed-out visitor, whose way home leads to sign-in', async () => {
    vi.stubGlobal('fetch', vi.fn(fakeApi().fetchFn));
    const { App } = await openAt('/shots/new/nope');
    render(<App />);

    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    expect(screen.queryByText(/Unexpected Application Error|404 Not Found/)).toBeNull();

    await userEvent.click(screen.getByRole('link', { name: 'Go to the home page' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to Jewelshot' })).toBeVisible();
  }, 30_000);
});
