import { CookieRefreshStrategy, Session, type AuthResponse } from '@jewelshot/api-client';
import { describe, expect, it } from 'vitest';
import { accessTokenOf } from '../test/fake-api';

const BASE = 'http://api.test';
const token = accessTokenOf('u1');
const auth: AuthResponse = {
  accessToken: token,
  user: { id: 'u1', email: 'a@example.com', role: 'user' },
};

/** A browser whose refresh cookie the API answers with `status` and `code` (ok: `auth`). */
function browser(status: number, code = 'VALIDATION_ERROR') {
  const states: unknown[] = [];
  const fetchFn: typeof fetch = async () =>
    status === 200
      ? Response.json(auth)
      : Response.json({ statusCode: status, code, error: 'no', requestId: 'x' }, { status });
  const session = new Session(new CookieRefreshStrategy(null), BASE, fetchFn);
  session.subscribe((state) => states.push(state));
  return { session, states };
}

describe('resuming a session when the page loads', () => {
  it('stays signed out with no reason when there is no session to resume (a first visit)', async () => {
    // No refresh cookie: the API answers 400.
    const { session, states } = browser(400);
    await expect(session.resume()).resolves.toBe(false);
    expect(session.current).toEqual({ status: 'signed-out' });
    expect(states).toEqual([]);
  });

  it('stays signed out with no reason when the cookie is no longer valid', async () => {
    const { session } = browser(401, 'UNAUTHORIZED');
    await expect(session.resume()).resolves.toBe(false);
    expect(session.current).toEqual({ status: 'signed-out' });
  });

  it('says the account is suspended when the refresh says so', async () => {
    const { session } = browser(403, 'ACCOUNT_BANNED');
    await expect(session.resume()).resolves.toBe(false);
    expect(session.current).toEqual({ status: 'signed-out', reason: 'banned' });
  });

  it('signs the user in when the cookie is good', async () => {
    const { session } = browser(200);
    await expect(session.resume()).resolves.toBe(true);
    expect(session.current).toMatchObject({ status: 'signed-in', user: { id: 'u1' } });
  });

  it('still says the session ended when a refresh is refused after the user was signed in', async () => {
    const { session } = browser(400);
    session.signIn(auth);
    await expect(session.resume()).resolves.toBe(false);
    expect(session.current).toEqual({ status: 'signed-out', reason: 'expired' });
  });
});
