import type { SessionState } from '@jewelshot/api-client';

/** What `followSessionUser` reads of the API client's `Session`. */
export interface SessionSource {
  readonly current: SessionState;
  subscribe(listener: (state: SessionState) => void): () => void;
}

export interface SessionUserWatch {
  /**
   * The last user signed in in this tab, kept after their session ends: whose data and routes
   * the tab showed last. Null until someone signs in.
   */
  lastUserId(): string | null;
  stop(): void;
}

const userIdOf = (state: SessionState): string | null =>
  state.status === 'signed-in' ? state.user.id : null;

/**
 * Follows whose session this tab has, and calls `onChange` when what was loaded so far may no
 * longer be the reader's to see: the session ended, however it ended (Sign out, expiry, a ban,
 * an admin ending it, a refused refresh), or a different user is now signed in (a sign-in, or
 * a refresh answered for whoever signed in last in another tab: they share the cookie). A
 * refresh that signs the same user in again changes nothing, so the cache survives it.
 */
export function followSessionUser(session: SessionSource, onChange: () => void): SessionUserWatch {
  let current = userIdOf(session.current);
  let last = current;
  const stop = session.subscribe((state) => {
    const next = userIdOf(state);
    if (next !== null) last = next;
    if (next === null || next !== current) {
      current = next;
      onChange();
    }
  });
  return { lastUserId: () => last, stop };
}

/** What `RequireAuth` leaves in the location state of its redirect to /sign-in. */
export interface SignInState {
  /** The page the visitor was sent away from. */
  from?: string;
  /** Whose session that page belonged to (see `returnPathAfterSignIn`); absent when nobody's. */
  fromUser?: string;
  reason?: string;
}

/**
 * Where a sign-in goes: back to `from` when it is the same person's page, else Home. A session
 * that ended in this tab (expired, banned, ended by an admin) leaves its user's last page as
 * `from`; whoever signs in next may be someone else at the same computer, and that page (a job,
 * a batch, an admin's view of a user) is neither theirs nor something to show them. A `from`
 * with no user is a link the visitor opened signed out themselves (a deep link from an email):
 * anyone may be taken there.
 */
export function returnPathAfterSignIn(state: SignInState, userId: string): string {
  const { from, fromUser } = state;
  if (!from || from === '/sign-in') return '/';
  return fromUser === undefined || fromUser === userId ? from : '/';
}
