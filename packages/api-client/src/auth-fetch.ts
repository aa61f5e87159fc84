import { NetworkError } from './errors';
import type { Session } from './session';

/**
 * fetch with the session's bearer token; on a 401 it refreshes once (shared with every other
 * request that hit the same 401) and retries once. Used by the typed client and the event stream.
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
    if (response.status !== 401 || token === null) return response;
    const fresh = await session.refreshAfter401(token);
    return fresh === null ? response : send(fresh);
  };
}
