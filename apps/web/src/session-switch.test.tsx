import type { AuthResponse } from '@jewelshot/api-client';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { api } from './api';
import { App } from './app';
import { i18n } from './i18n';

type Who = 'alice' | 'bob';

const EXP = Math.floor(Date.now() / 1000) + 900;
const jwt = (who: Who) => `h.${btoa(JSON.stringify({ sub: who, exp: EXP })).replace(/=+$/, '')}.s`;
const authOf = (who: Who): AuthResponse => ({
  accessToken: jwt(who),
  user: {
    id: who,
    email: `${who}@example.com`,
    role: who === 'bob' ? 'admin' : 'user',
  },
});
const json = (body: unknown, status = 200) => Response.json(body, { status });
const unauthorized = () =>
  json({ statusCode: 401, code: 'UNAUTHORIZED', error: 'no', requestId: 'r' }, 401);

/**
 * The API as one browser's tabs share it: `cookie` is whoever signed in last in any tab (the
 * refresh cookie is the origin's), and a refresh answers for them. `signOutAndSignIn(bob)` is
 * what another tab does: Alice's session ends and the cookie becomes Bob's.
 */
function fakeApi() {
  let cookie: Who | null = null;
  const ended = new Set<Who>();
  const balances = { alice: 7, bob: 2 };
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    if (path === '/v1/auth/refresh') return cookie ? json(authOf(cookie)) : unauthorized();
    const who = (['alice', 'bob'] as const).find(
      (name) => request.headers.get('authorization') === `Bearer ${jwt(name)}`,
    );
    if (!who || ended.has(who)) return unauthorized();
    const page = (items: unknown[]) => json({ data: items, nextCursor: null });
    switch (path) {
      case '/v1/credits/balance':
        return json({ available: balances[who], balance: balances[who], reserved: 0 });
      case '/v1/credits/prices':
        return json([]);
      case '/v1/me':
        return json({ ...authOf(who).user, emailVerified: true, language: 'en' });
      default:
        return page([]);
    }
  };
  return {
    fetchFn,
    signIn: (who: Who) => (cookie = who),
    signOutAndSignIn(previous: Who, next: Who) {
      ended.add(previous);
      cookie = next;
    },
  };
}

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
    server.signOutAndSignIn('alice', 'bob');
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
