import { BodyRefreshStrategy, Session, type AuthResponse } from '@jewelshot/api-client';
import { describe, expect, it } from 'vitest';
import { followSessionUser, returnPathAfterSignIn } from './session-user';

const BASE = 'http://api.test';
const jwt = (n: number) =>
  `h.${btoa(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 900, n })).replace(/=+$/, '')}.s`;
const auth = (id: string, n = 0): AuthResponse => ({
  accessToken: jwt(n),
  refreshToken: `r-${id}-${n}`,
  user: { id, email: `${id}@example.com`, role: 'user' },
});

/** A session whose refresh answers with `next()` (a user signed in again, or a refusal). */
function sessionAnswering(next: () => Response) {
  return new Session(new BodyRefreshStrategy(), BASE, async () => next());
}

describe('following whose session the tab has', () => {
  it('reports every end of a session and every change of user, not a refresh of the same user', async () => {
    let answer = () => Response.json(auth('alice', 1));
    const session = sessionAnswering(() => answer());
    const changes: string[] = [];
    followSessionUser(session, () =>
      changes.push(session.current.status === 'signed-in' ? session.current.user.id : 'out'),
    );

    session.signIn(auth('alice'));
    expect(changes).toEqual(['alice']);
    // A refresh signs Alice in again: her cache stays.
    expect(await session.resume()).toBe(true);
    expect(changes).toEqual(['alice']);
    // The session ends other than by Sign out: a refused refresh (an admin ended it).
    answer = () =>
      Response.json(
        { statusCode: 401, code: 'UNAUTHORIZED', error: 'no', requestId: 'x' },
        { status: 401 },
      );
    expect(await session.resume()).toBe(false);
    expect(changes).toEqual(['alice', 'out']);

    session.signIn(auth('bob'));
    session.signOut('banned');
    session.signIn(auth('carol'));
    // A refresh that answers for someone else (signed in meanwhile in another tab).
    answer = () => Response.json(auth('dave'));
    expect(await session.resume()).toBe(true);
    expect(changes).toEqual(['alice', 'out', 'bob', 'out', 'carol', 'dave']);
  });

  it('remembers the last user after their session ends, and stops when told', () => {
    const session = sessionAnswering(() => new Response(null, { status: 500 }));
    let changes = 0;
    const follow = followSessionUser(session, () => (changes += 1));
    expect(follow.lastUserId()).toBeNull();
    session.signIn(auth('alice'));
    session.signOut('expired');
    expect(follow.lastUserId()).toBe('alice');
    follow.stop();
    session.signIn(auth('bob'));
    expect(changes).toBe(2);
  });

  it('starts from a session already signed in', () => {
    const session = sessionAnswering(() => new Response(null, { status: 500 }));
    session.signIn(auth('alice'));
    let changes = 0;
    const follow = followSessionUser(session, () => (changes += 1));
    expect(follow.lastUserId()).toBe('alice');
    session.signIn(auth('alice', 2));
    expect(changes).toBe(0);
  });
});

describe('where a sign-in goes', () => {
  it("takes the same user back to their page, and anyone else Home instead of another's page", () => {
    const ended = { from: '/batches/b-1', fromUser: 'alice', reason: 'expired' };
    expect(returnPathAfterSignIn(ended, 'alice')).toBe('/batches/b-1');
    expect(returnPathAfterSignIn(ended, 'bob')).toBe('/');
  });

  it('follows a link opened signed out, whoever signs in', () => {
    expect(returnPathAfterSignIn({ from: '/jobs/j-1' }, 'bob')).toBe('/jobs/j-1');
  });

  it('goes Home without a page to go back to', () => {
    expect(returnPathAfterSignIn({}, 'alice')).toBe('/');
    expect(returnPathAfterSignIn({ from: '/sign-in' }, 'alice')).toBe('/');
  });
});
