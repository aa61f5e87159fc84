import type { SessionState } from '@jewelshot/api-client';
import { useSyncExternalStore } from 'react';
import { api } from './api';
import { followSessionUser } from './auth/session-user';
import { queryClient } from './query-client';

/**
 * The one place the query cache is emptied for a change of user: every way a session ends
 * (Sign out, expiry, a ban, an admin ending it, a refused refresh) and every sign-in of someone
 * else. Subscribed when this module loads, before any component, so the cache is empty before
 * the next render. `clear()` takes the mutation cache too (an API key shown once, for one).
 */
export const sessionUser = followSessionUser(api.session, () => queryClient.clear());

export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => api.session.subscribe(listener),
    () => api.session.current,
  );
}
