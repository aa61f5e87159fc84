import { Navigate, Outlet, useLocation } from 'react-router';
import type { SignInState } from '../auth/session-user';
import { sessionUser, useSession } from '../session';

export function RequireAuth() {
  const session = useSession();
  const location = useLocation();
  if (session.status !== 'signed-in') {
    // `fromUser`: whose page this was, so a sign-in takes only that user back to it.
    const state: SignInState = {
      from: location.pathname,
      fromUser: sessionUser.lastUserId() ?? undefined,
      reason: session.reason,
    };
    return <Navigate to="/sign-in" replace state={state} />;
  }
  return <Outlet />;
}
