import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { api } from './api';
import { App } from './app';
import { i18n } from './i18n';
import { authOf, fakeApi } from './test/fake-api';

describe('when the session ends and someone else signs in in the same tab', () => {
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  // The whole app, its pages loaded on first use: seconds on a busy machine, not Vitest's 5.
  it("shows the next user none of the previous user's data, and does not take them to the previous user's page", async () => {
    await i18n.changeLanguage('en');
    const server = fakeApi();
    // Bob's balance and batches wait for releaseBob(): what the page shows meanwhile can only
    // come from the cache.
    const releaseBob = server.hold('bob');
    vi.stubGlobal('fetch', vi.fn(server.fetchFn));
    const user = userEvent.setup();
    api.session.signIn(authOf('alice'));
    render(<App />);

    expect(await screen.findByTestId('balance')).toHaveTextContent('7 credits');
    await user.click(screen.getByRole('link', { name: 'Batches' }));
    expect(await screen.findByText(/Alice rings/)).toBeInTheDocument();

    // An admin ends Alice's sessions; her next page's requests are refused, and so is the refresh.
    server.end('alice');
    await user.click(screen.getByRole('link', { name: 'Credits' }));
    expect(await screen.findByText('Your session ended. Please sign in again.')).toBeVisible();
    expect(api.session.current).toEqual({ status: 'signed-out', reason: 'expired' });

    await user.type(screen.getByRole('textbox', { name: /email/i }), 'bob@example.com');
    await user.type(screen.getByLabelText(/^password/i), 'bobs-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    // Home, not Alice's last page; and with Bob's balance still on its way, no balance at all.
    expect(await screen.findByRole('heading', { name: 'Home' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/');
    expect(screen.queryByTestId('balance')).toBeNull();
    expect(screen.queryByText('7 credits')).toBeNull();
    await user.click(screen.getByRole('link', { name: 'Batches' }));
    expect(await screen.findByRole('heading', { name: 'Batches' })).toBeInTheDocument();
    expect(screen.queryByText(/Alice rings/)).toBeNull();

    releaseBob();
    expect(await screen.findByText(/Bob earrings/)).toBeInTheDocument();
    expect(screen.queryByText(/Alice rings/)).toBeNull();
    expect(api.session.current).toMatchObject({ status: 'signed-in', user: { id: 'bob' } });
  }, 30_000);
});
