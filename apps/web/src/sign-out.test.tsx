import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { api } from './api';
import { App } from './app';
import { i18n } from './i18n';
import { authOf, fakeApi } from './test/fake-api';

/** The app signed in as Alice, on a fake API whose logout can be told to fail. */
async function aliceSignedIn() {
  await i18n.changeLanguage('en');
  const server = fakeApi();
  vi.stubGlobal('fetch', vi.fn(server.fetchFn));
  const user = userEvent.setup();
  server.signIn('alice');
  api.session.signIn(authOf('alice'));
  render(<App />);
  return { server, user };
}

describe('signing out', () => {
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('stays signed in, and says so, while the API cannot end the session; signs out once it has', async () => {
    const { server, user } = await aliceSignedIn();
    expect(await screen.findByTestId('balance')).toHaveTextContent('7 credits');

    for (const failure of [503, 'network'] as const) {
      server.failLogout(failure);
      await user.click(screen.getByRole('button', { name: 'Sign out' }));
      expect(await screen.findByRole('alert')).toHaveTextContent(/still signed in/);
      expect(api.session.current).toMatchObject({ status: 'signed-in', user: { id: 'alice' } });
      expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
    }

    // The session was never ended: the refresh cookie still brings it back, as a reload would.
    expect(
      await (await server.fetchFn('http://localhost/v1/auth/refresh', { method: 'POST' })).json(),
    ).toMatchObject({
      user: { id: 'alice' },
    });

    server.failLogout(null);
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(api.session.current.status).not.toBe('signed-in'));
    expect(await screen.findByRole('button', { name: /sign in/i })).toBeInTheDocument();
    // Ended on the server too: nothing to resume.
    expect(
      (await server.fetchFn('http://localhost/v1/auth/refresh', { method: 'POST' })).status,
    ).toBe(401);
  }, 30_000);

  it('signs out everywhere only once the API has ended the sessions', async () => {
    const { server, user } = await aliceSignedIn();
    await user.click(await screen.findByRole('link', { name: 'Account' }));
    const everywhere = await screen.findByRole('button', { name: 'Sign out everywhere' });

    server.failLogout(503);
    await user.click(everywhere);
    expect(await screen.findByRole('alert')).toBeInTheDocument();
    expect(api.session.current).toMatchObject({ status: 'signed-in', user: { id: 'alice' } });

    server.failLogout(null);
    await user.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    await waitFor(() => expect(api.session.current.status).not.toBe('signed-in'));
    expect(
      (await server.fetchFn('http://localhost/v1/auth/refresh', { method: 'POST' })).status,
    ).toBe(401);
  }, 30_000);
});
