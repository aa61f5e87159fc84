import type { AuthResponse } from '@jewelshot/api-client';
import { render, screen } from '@testing-library/react';
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
  user: { id: who, email: `${who}@example.com`, role: 'user' },
});
const json = (body: unknown, status = 200) => Response.json(body, { status });
const unauthorized = () =>
  json({ statusCode: 401, code: 'UNAUTHORIZED', error: 'no', requestId: 'r' }, 401);

/**
 * The API as two sellers see it. `end(who)` ends that user's sessions (as an admin can): their
 * token and the refresh cookie stop working. Bob's balance and batches wait for `releaseBob()`,
 * so what the page shows meanwhile can only come from the cache.
 */
function fakeApi() {
  const ended = new Set<Who>();
  const data = {
    alice: { balance: 7, batch: 'Alice rings' },
    bob: { balance: 2, batch: 'Bob earrings' },
  };
  let releaseBob: () => void = () => {};
  const bobGate = new Promise<void>((resolve) => (releaseBob = resolve));
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    if (path === '/v1/auth/login') {
      const { email } = (await request.json()) as { email: string };
      return json(authOf(email.startsWith('bob') ? 'bob' : 'alice'));
    }
    if (path === '/v1/auth/refresh') return unauthorized();
    const who = (['alice', 'bob'] as const).find(
      (name) => request.headers.get('authorization') === `Bearer ${jwt(name)}`,
    );
    if (!who || ended.has(who)) return unauthorized();
    if (who === 'bob' && (path === '/v1/credits/balance' || path === '/v1/batches')) await bobGate;
    const page = (items: unknown[]) => json({ data: items, nextCursor: null });
    switch (path) {
      case '/v1/credits/balance':
        return json({ available: data[who].balance, balance: data[who].balance, reserved: 0 });
      case '/v1/batches':
        return page([
          {
            id: `${who}-batch`,
            name: data[who].batch,
            operation: 'upscale',
            params: {},
            total: 1,
            createdAt: '2026-01-01T00:00:00.000Z',
          },
        ]);
      case '/v1/credits/prices':
        return json([]);
      case '/v1/me':
        return json({ ...authOf(who).user, emailVerified: true, language: 'en' });
      default:
        return page([]);
    }
  };
  return { fetchFn, end: (who: Who) => ended.add(who), releaseBob };
}

describe('when the session ends and someone else signs in in the same tab', () => {
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  // The whole app, its pages loaded on first use: seconds on a busy machine, not Vitest's 5.
  it("shows the next user none of the previous user's data, and does not take them to the previous user's page", async () => {
    await i18n.changeLanguage('en');
    const server = fakeApi();
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

    server.releaseBob();
    expect(await screen.findByText(/Bob earrings/)).toBeInTheDocument();
    expect(screen.queryByText(/Alice rings/)).toBeNull();
    expect(api.session.current).toMatchObject({ status: 'signed-in', user: { id: 'bob' } });
  }, 30_000);
});
