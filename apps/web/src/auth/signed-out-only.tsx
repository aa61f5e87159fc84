import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../session';
import { returnPathAfterSignIn, type SignInState } from './session-user';

/**
 * For the sign-in and sign-up pages: someone already signed in is taken where a sign-in would
 * take them (the page they were sent away from when it is theirs, else Home) instead of a form
 * under the signed-in menu.
 */
export function SignedOutOnly({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'signed-in') {
    const state = (location.state ?? {}) as SignInState;
    return <Navigate to={returnPathAfterSignIn(state, session.user.id)} replace />;
  }
  return children;
}
