import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { api } from './api';
import { App } from './app';
import { i18n } from './i18n';
import { authOf, fakeApi } from './test/fake-api';

describe('when another tab signs someone else in', () => {
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it("replaces the previous user's page once a refresh brings the other user's session", async () => {
    await i18n.changeLanguage('en');
    const server = fakeApi();
    vi.stubGlobal('fetch', vi.fn(server.fetchFn));
    const user = userEvent.setup();
    server.signIn('alice');
    api.session.signIn(authOf('alice'));
    render(<App />);

    expect(await screen.findByTestId('balance')).toHaveTextContent('7 credits');

    // In another tab Alice signs out and Bob signs in: the cookie is now Bob's.
    server.end('alice');
    server.signIn('bob');
    await user.click(screen.getByRole('link', { name: 'Credits' }));
    await waitFor(() =>
      expect(api.session.current).toMatchObject({ status: 'signed-in', user: { id: 'bob' } }),
    );

    // Bob's figures, never Alice's, next to Bob's admin links.
    expect(await screen.findByRole('link', { name: 'Admin' })).toBeInTheDocument();
    expect(await screen.findByText(/Available: 2 credits/)).toBeInTheDocument();
    expect(screen.queryByText(/7 credits/)).toBeNull();
  }, 30_000);
});
