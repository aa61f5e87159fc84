import { CookieRefreshStrategy, Session, type AuthResponse } from '@jewelshot/api-client';
import { describe, expect, it } from 'vitest';
import { accessTokenOf } from '../test/fake-api';
import { sessionHints } from '../test/session-hints';

const BASE = 'http://api.test';
const token = accessTokenOf('u1');
const auth: AuthResponse = {
  accessToken: token,
  user: { id: 'u1', email: 'a@example.com', role: 'user' },
};

/**
 * A browser whose refresh cookie the API answers with `status` and `code` (ok: `auth`); `hints`
 * is its localStorage (by default: someone signed in here before).
 */
function browser(status: number, code = 'VALIDATION_ERROR', hints = sessionHints(true)) {
  const states: unknown[] = [];
  let requests = 0;
  const fetchFn: typeof fetch = async () => {
    requests += 1;
    return status === 200
      ? Response.json(auth)
      : Response.json({ statusCode: status, code, error: 'no', requestId: 'x' }, { status });
  };
  const session = new Session(new CookieRefreshStrategy(null, hints), BASE, fetchFn);
  session.subscribe((state) => states.push(state));
  return { session, states, requests: () => requests };
}

describe('resuming a session when the page loads', () => {
  it('asks the API nothing on a first visit (no mark of a sign-in), and stays signed out with no reason', async () => {
    const { session, states, requests } = browser(400, 'VALIDATION_ERROR', sessionHints(false));
    await expect(session.resume()).resolves.toBe(false);
    expect(requests()).toBe(0);
    expect(session.current).toEqual({ status: 'signed-out' });
    expect(states).toEqual([]);
  });

  it('stays signed out with no reason when the mark is there but the cookie is not (400)', async () => {
    const hints = sessionHints(true);
    const { session, states, requests } = browser(400, 'VALIDATION_ERROR', hints);
    await expect(session.resume()).resolves.toBe(false);
    expect(requests()).toBe(1);
    expect(session.current).toEqual({ status: 'signed-out' });
    expect(states).toEqual([]);
    // The mark goes with it: the next page load asks nothing.
    expect(hints.marked()).toBe(false);
  });

  it('marks a sign-in and takes the mark away at sign-out', () => {
    const hints = sessionHints(false);
    const { session } = browser(200, 'VALIDATION_ERROR', hints);
    session.signIn(auth);
    expect(hints.marked()).toBe(true);
    session.signOut();
    expect(hints.marked()).toBe(false);
  });

  it('asks as before where storage is refused', async () => {
    const refusing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    const { session, requests } = browser(200, 'VALIDATION_ERROR', refusing as never);
    await expect(session.resume()).resolves.toBe(true);
    expect(requests()).toBe(1);
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
