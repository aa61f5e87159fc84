import { NetworkError } from './errors';
import type { Session } from './session';

/** A 403 that says the account itself is banned (not that this one action is forbidden). */
async function isBanned(response: Response): Promise<boolean> {
  if (response.status !== 403) return false;
  try {
    const body = (await response.clone().json()) as { code?: unknown };
    return body.code === 'ACCOUNT_BANNED';
  } catch {
    return false;
  }
}

/**
 * fetch with the session's bearer token; on a 401 it refreshes once (shared with every other
 * request that hit the same 401) and retries once. A 403 `ACCOUNT_BANNED` ends the session with
 * the reason `banned`, so the app shows that once instead of an error on every query of the page.
 * Used by the typed client and the event stream.
 */
export function createAuthFetch(
  session: Session,
  fetchFn: typeof fetch = (...args) => globalThis.fetch(...args),
): typeof fetch {
  return async (input, init) => {
    const original = new Request(input, init);
    const send = async (token: string | null): Promise<Response> => {
      const request = original.clone();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      try {
        return await fetchFn(request);
      } catch (cause) {
        if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
        throw new NetworkError(cause);
      }
    };
    const token = await session.accessToken();
    const response = await send(token);
    if (token !== null && (await isBanned(response))) {
      session.signOut('banned');
      return response;
    }
    if (response.status !== 401 || token === null) return response;
    const fresh = await session.refreshAfter401(token);
    return fresh === null ? response : send(fresh);
  };
}
