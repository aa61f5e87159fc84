import {
  ApiError,
  CookieRefreshStrategy,
  createAuthFetch,
  Session,
  type AuthResponse,
} from '@jewelshot/api-client';
import { describe, expect, it } from 'vitest';
import { accessTokenOf } from '../test/fake-api';

const BASE = 'http://api.test';
const token = accessTokenOf('u1');
const auth: AuthResponse = {
  accessToken: token,
  user: { id: 'u1', email: 'a@example.com', role: 'user' },
};

/**
 * A tab whose access token the API no longer takes (another tab signed out): every request
 * answers 401, and the cookie refresh answers `status` with `code`.
 */
function tab(status: number, code: string, headers: Record<string, string> = {}) {
  const calls = { refresh: 0 };
  const fetchFn: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (new URL(request.url).pathname === '/v1/auth/refresh') {
      calls.refresh += 1;
      return Response.json(
        { statusCode: status, code, error: 'no', requestId: 'x' },
        { status, headers },
      );
    }
    return Response.json(
      { statusCode: 401, code: 'UNAUTHORIZED', error: 'no', requestId: 'x' },
      { status: 401 },
    );
  };
  const session = new Session(new CookieRefreshStrategy(null), BASE, fetchFn);
  session.signIn(auth);
  return { session, calls, authFetch: createAuthFetch(session, fetchFn) };
}

describe('a refresh the API refuses', () => {
  it.each([
    [400, 'VALIDATION_ERROR'], // no refresh cookie: another tab signed out
    [401, 'UNAUTHORIZED'],
    [403, 'FORBIDDEN'],
    [404, 'RESOURCE_NOT_FOUND'],
  ])('ends the session as expired on %i %s', async (status, code) => {
    const { session, calls, authFetch } = tab(status, code);
    const response = await authFetch(`${BASE}/v1/me`);
    expect(response.status).toBe(401);
    expect(calls.refresh).toBe(1);
    expect(session.current).toEqual({ status: 'signed-out', reason: 'expired' });
  });

  it('ends the session as banned on 403 ACCOUNT_BANNED', async () => {
    const { session, authFetch } = tab(403, 'ACCOUNT_BANNED');
    await authFetch(`${BASE}/v1/me`);
    expect(session.current).toEqual({ status: 'signed-out', reason: 'banned' });
  });

  it.each([
    [429, 'RATE_LIMITED'],
    [500, 'INTERNAL_ERROR'],
    [503, 'SERVICE_UNAVAILABLE'],
  ])('keeps the session and surfaces the error on a passing %i', async (status, code) => {
    const { session, authFetch } = tab(status, code, { 'retry-after': '3' });
    const failure = await authFetch(`${BASE}/v1/me`).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status, code });
    expect(session.current).toMatchObject({ status: 'signed-in', user: { id: 'u1' } });
  });
});
