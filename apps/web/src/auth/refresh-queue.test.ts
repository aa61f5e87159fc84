import {
  BodyRefreshStrategy,
  createAuthFetch,
  Session,
  type AuthResponse,
} from '@jewelshot/api-client';
import { afterEach, describe, expect, it } from 'vitest';

const BASE = 'http://api.test';

function jwt(expSeconds: number, n: number): string {
  const body = btoa(JSON.stringify({ sub: 'u1', exp: expSeconds, n })).replace(/=+$/, '');
  return `h.${body}.s`;
}

const user = { id: 'u1', email: 'a@example.com', role: 'user' as const };

/**
 * A fake API: /v1/auth/refresh rotates single-use refresh tokens and issues a new access token;
 * other paths accept only the newest access token. `hold()` keeps refreshes waiting.
 */
function fakeApi(nowSeconds: () => number) {
  let generation = 0;
  let validRefresh = 'r0';
  let validAccess: string | null = null;
  const calls = { refresh: 0, me: 0 };
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  const unauthorized = (status = 401, code = 'UNAUTHORIZED') =>
    Response.json({ statusCode: status, code, error: 'no', requestId: 'x' }, { status });
  const fetchFn: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (new URL(request.url).pathname === '/v1/auth/refresh') {
      calls.refresh += 1;
      if (gate) await gate;
      const { refreshToken } = (await request.json()) as { refreshToken: string };
      if (refreshToken !== validRefresh) return unauthorized();
      generation += 1;
      validRefresh = `r${generation}`;
      validAccess = jwt(nowSeconds() + 900, generation);
      const body: AuthResponse = { accessToken: validAccess, refreshToken: validRefresh, user };
      return Response.json(body);
    }
    calls.me += 1;
    const ok =
      validAccess !== null && request.headers.get('authorization') === `Bearer ${validAccess}`;
    return ok ? Response.json({ ok: true }) : unauthorized();
  };
  return {
    fetchFn,
    calls,
    accept(token: string) {
      validAccess = token;
    },
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    release() {
      gate = null;
      release();
    },
    /** The server stops accepting the current access token (e.g. it was revoked). */
    revokeAccess() {
      validAccess = null;
    },
  };
}

describe('the token refresh queue', () => {
  it('refreshes once on a 401 while concurrent requests wait for that one refresh', async () => {
    const now = 1_000_000;
    const api = fakeApi(() => now);
    const session = new Session(new BodyRefreshStrategy(), BASE, api.fetchFn, () => now * 1000);
    session.signIn({ accessToken: jwt(now + 900, 0), refreshToken: 'r0', user });
    api.revokeAccess();
    api.hold();
    const authFetch = createAuthFetch(session, api.fetchFn);
    const requests = Array.from({ length: 5 }, () => authFetch(`${BASE}/v1/me`));
    // Let every request see its 401 before the refresh answers.
    await new Promise((resolve) => setTimeout(resolve, 10));
    api.release();
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(api.calls.refresh).toBe(1);
    expect(session.current.status).toBe('signed-in');
  });

  it('refreshes silently before the access token expires, once for concurrent callers', async () => {
    let nowMs = 5_000_000_000;
    const api = fakeApi(() => Math.floor(nowMs / 1000));
    const session = new Session(new BodyRefreshStrategy(), BASE, api.fetchFn, () => nowMs);
    const first = jwt(Math.floor(nowMs / 1000) + 60, 0);
    session.signIn({ accessToken: first, refreshToken: 'r0', user });
    expect(await session.accessToken()).toBe(first);
    expect(api.calls.refresh).toBe(0);
    nowMs += 45_000; // 15 s left: inside the skew
    const tokens = await Promise.all([
      session.accessToken(),
      session.accessToken(),
      session.accessToken(),
    ]);
    expect(api.calls.refresh).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
  });

  it('signs out when the refresh is refused, and does not retry again', async () => {
    const nowMs = 5_000_000_000;
    const api = fakeApi(() => Math.floor(nowMs / 1000));
    const session = new Session(new BodyRefreshStrategy(), BASE, api.fetchFn, () => nowMs);
    session.signIn({
      accessToken: jwt(Math.floor(nowMs / 1000) + 900, 0),
      refreshToken: 'stale',
      user,
    });
    api.revokeAccess();
    const authFetch = createAuthFetch(session, api.fetchFn);
    const response = await authFetch(`${BASE}/v1/me`);
    expect(response.status).toBe(401);
    expect(api.calls.refresh).toBe(1);
    expect(session.current).toEqual({ status: 'signed-out', reason: 'expired' });
  });

  it('reports a banned account as banned', async () => {
    const fetchFn: typeof fetch = async () =>
      Response.json(
        { statusCode: 403, code: 'ACCOUNT_BANNED', error: 'banned', requestId: 'x' },
        { status: 403 },
      );
    const session = new Session(new BodyRefreshStrategy(), BASE, fetchFn);
    session.signIn({ accessToken: jwt(0, 0), refreshToken: 'r0', user });
    expect(await session.accessToken()).toBeNull();
    expect(session.current).toEqual({ status: 'signed-out', reason: 'banned' });
  });

  it('ends the session as banned when any request answers 403 ACCOUNT_BANNED', async () => {
    const answers: Record<string, Response> = {
      '/v1/me': Response.json(
        { statusCode: 403, code: 'ACCOUNT_BANNED', error: 'banned', requestId: 'x' },
        { status: 403 },
      ),
      '/v1/admin/users': Response.json(
        { statusCode: 403, code: 'FORBIDDEN', error: 'no', requestId: 'y' },
        { status: 403 },
      ),
    };
    const fetchFn: typeof fetch = async (input, init) => {
      const answer = answers[new URL(new Request(input, init).url).pathname];
      if (!answer) throw new Error('unexpected request');
      return answer.clone();
    };
    const session = new Session(new BodyRefreshStrategy(), BASE, fetchFn);
    session.signIn({ accessToken: jwt(Date.now() / 1000 + 900, 0), refreshToken: 'r0', user });
    const authFetch = createAuthFetch(session, fetchFn);
    // A plain 403 (an action not allowed) keeps the session.
    expect((await authFetch(`${BASE}/v1/admin/users`)).status).toBe(403);
    expect(session.current.status).toBe('signed-in');
    const banned = await authFetch(`${BASE}/v1/me`);
    expect(banned.status).toBe(403);
    expect(((await banned.json()) as { code: string }).code).toBe('ACCOUNT_BANNED');
    expect(session.current).toEqual({ status: 'signed-out', reason: 'banned' });
  });

  it('keeps the refresh token in memory only', () => {
    const session = new Session(new BodyRefreshStrategy(), BASE, async () => new Response());
    session.signIn({ accessToken: jwt(0, 0), refreshToken: 'secret-refresh', user });
    const stored = JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage });
    expect(stored).not.toContain('secret-refresh');
  });
});

describe('cookie mode', () => {
  it('refreshes with the cookie and the CSRF header, never with a token in the body', async () => {
    const { CookieRefreshStrategy } = await import('@jewelshot/api-client');
    const seen: Request[] = [];
    const fetchFn: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      seen.push(request);
      return Response.json({ user, accessToken: jwt(Math.floor(Date.now() / 1000) + 900, 1) });
    };
    const strategy = new CookieRefreshStrategy();
    expect(strategy.delivery).toBe('cookie');
    const session = new Session(strategy, BASE, fetchFn);
    expect(await session.resume()).toBe(true);
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.url).toBe(`${BASE}/v1/auth/refresh`);
    expect(request?.credentials).toBe('include');
    expect(request?.headers.get('x-csrf-protection')).toBe('1');
    expect(await request?.json()).toEqual({});
    expect(session.current.status).toBe('signed-in');
  });
});

/**
 * The tabs of one browser: one cookie jar, a refresh cookie the API rotates on each use and
 * takes for stolen when a rotated one comes back (revoking the session). Each request reads
 * the jar when it leaves and is in flight for a few milliseconds, as on a network.
 */
function cookieJarApi() {
  let jar = 'c0';
  let valid = 'c0';
  let revoked = false;
  const statuses: number[] = [];
  const fetchFn: typeof fetch = async () => {
    const sent = jar;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (revoked || sent !== valid) {
      revoked = true;
      statuses.push(401);
      return Response.json(
        { statusCode: 401, code: 'UNAUTHORIZED', error: 'reused', requestId: 'x' },
        { status: 401 },
      );
    }
    valid = jar = `c${statuses.length + 1}`;
    statuses.push(200);
    return Response.json({ user, accessToken: jwt(Math.floor(Date.now() / 1000) + 900, 1) });
  };
  return { fetchFn, statuses };
}

/** navigator.locks as a browser has it: one holder per name at a time, the others queue. */
function fakeLockManager() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      const run = (tails.get(name) ?? Promise.resolve()).then(() => callback());
      tails.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };
}

describe('cookie mode across tabs', () => {
  afterEach(() => {
    Reflect.deleteProperty(navigator, 'locks');
  });

  it('takes turns through navigator.locks, so tabs opened together each refresh with the latest cookie', async () => {
    const { CookieRefreshStrategy } = await import('@jewelshot/api-client');
    Object.defineProperty(navigator, 'locks', { value: fakeLockManager(), configurable: true });
    const api = cookieJarApi();
    const tabs = Array.from(
      { length: 3 },
      () => new Session(new CookieRefreshStrategy(), BASE, api.fetchFn),
    );
    const resumed = await Promise.all(tabs.map((tab) => tab.resume()));
    expect(api.statuses).toEqual([200, 200, 200]);
    expect(resumed).toEqual([true, true, true]);
    expect(tabs.map((tab) => tab.current.status)).toEqual(['signed-in', 'signed-in', 'signed-in']);
  });

  it('still refreshes where there is no navigator.locks (one refresh per tab, shared within it)', async () => {
    const { CookieRefreshStrategy } = await import('@jewelshot/api-client');
    expect('locks' in navigator).toBe(false);
    const api = cookieJarApi();
    const tab = new Session(new CookieRefreshStrategy(), BASE, api.fetchFn);
    const resumed = await Promise.all([tab.resume(), tab.resume()]);
    expect(resumed).toEqual([true, true]);
    expect(api.statuses).toEqual([200]);
  });
});
