import type { AuthResponse } from '@jewelshot/api-client';

type Who = 'alice' | 'bob';

const USERS = {
  alice: { role: 'user', balance: 7, batch: 'Alice rings' },
  bob: { role: 'admin', balance: 2, batch: 'Bob earrings' },
} as const;

const EXP = Math.floor(Date.now() / 1000) + 900;
/** An access token the client reads (its `sub` and an `exp` 15 min away); no API checks it. */
export const accessTokenOf = (sub: string) =>
  `h.${btoa(JSON.stringify({ sub, exp: EXP })).replace(/=+$/, '')}.s`;
const jwt = (who: Who) => accessTokenOf(who);
const json = (body: unknown, status = 200) => Response.json(body, { status });
const unauthorized = () =>
  json({ statusCode: 401, code: 'UNAUTHORIZED', error: 'no', requestId: 'r' }, 401);

/** What a sign-in answers for Alice (a seller) or Bob (an admin). */
export function authOf(who: Who): AuthResponse {
  return {
    accessToken: jwt(who),
    user: { id: who, email: `${who}@example.com`, role: USERS[who].role },
  };
}

/**
 * The API as one browser's tabs share it, for Alice (7 credits, batch "Alice rings") and Bob
 * (2 credits, "Bob earrings"). The refresh cookie is the origin's, so it is whoever signed in last
 * in any tab (`signIn(who)`, or a login through the page), and a refresh answers for them.
 * `end(who)` ends that user's sessions (a sign-out, or an admin): their token and the cookie stop
 * working. `hold(who)` keeps that user's balance and batches waiting until the function it returns
 * is called, so what a page shows meanwhile can only come from the cache. A sign-out
 * (`POST /v1/auth/logout`, or `logout-all`) ends the caller's session and clears the cookie, unless `failLogout`
 * says how it fails (a status, or `network` for no answer at all).
 */
export function fakeApi() {
  let cookie: Who | null = null;
  const ended = new Set<Who>();
  const held = new Map<Who, Promise<void>>();
  let logoutFailure: number | 'network' | null = null;
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    if (path === '/v1/auth/login') {
      const { email } = (await request.json()) as { email: string };
      cookie = email.startsWith('bob') ? 'bob' : 'alice';
      return json(authOf(cookie));
    }
    if (path === '/v1/auth/refresh') {
      return cookie && !ended.has(cookie) ? json(authOf(cookie)) : unauthorized();
    }
    const who = (['alice', 'bob'] as const).find(
      (name) => request.headers.get('authorization') === `Bearer ${jwt(name)}`,
    );
    if (!who || ended.has(who)) return unauthorized();
    if (path === '/v1/auth/logout' || path === '/v1/auth/logout-all') {
      if (logoutFailure === 'network') throw new TypeError('Failed to fetch');
      if (logoutFailure !== null)
        return json(
          { statusCode: logoutFailure, code: 'UNAVAILABLE', error: 'x', requestId: 'r' },
          logoutFailure,
        );
      ended.add(who);
      if (cookie === who) cookie = null;
      return new Response(null, { status: 204 });
    }
    if (path === '/v1/credits/balance' || path === '/v1/batches') await held.get(who);
    const page = (items: unknown[]) => json({ data: items, nextCursor: null });
    switch (path) {
      case '/v1/credits/balance':
        return json({ available: USERS[who].balance, balance: USERS[who].balance, reserved: 0 });
      case '/v1/batches':
        return page([
          {
            id: `${who}-batch`,
            name: USERS[who].batch,
            operation: 'upscale',
            params: {},
            total: 1,
            createdAt: '2026-01-01T00:00:00.000Z',
            progress: { total: 1, queued: 0, running: 0, succeeded: 1, failed: 0, canceled: 0 },
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
  return {
    fetchFn,
    signIn: (who: Who) => (cookie = who),
    end: (who: Who) => ended.add(who),
    failLogout: (how: number | 'network' | null) => (logoutFailure = how),
    hold(who: Who) {
      let release: () => void = () => {};
      held.set(who, new Promise<void>((resolve) => (release = resolve)));
      return release;
    },
  };
}
