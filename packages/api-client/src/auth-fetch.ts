import { NetworkError } from './errors.js';

/**
 * Where authFetch gets its bearer credential: a `Session` (a person's access token, refreshed),
 * or an API key (`ApiKeyCredential`: the same key every time, never refreshed).
 */
export interface BearerCredential {
  /** The credential to send now; null sends none. */
  accessToken(): Promise<string | null>;
  /** A request sent with `stale` came back 401: a credential to retry with, or null (give up). */
  refreshAfter401(stale: string | null): Promise<string | null>;
  /** The API answered 403 `ACCOUNT_BANNED`. */
  signOut(reason: 'banned'): void;
}

/**
 * An API key (`js_live_…`, made by POST /v1/api-keys): sent as `Authorization: Bearer <key>`,
 * the only place the API reads a key from. Nothing to refresh: a revoked or expired key, or a
 * banned owner, stays refused (401 or 403), and the caller sees that answer.
 */
export class ApiKeyCredential implements BearerCredential {
  constructor(private readonly key: string) {
    if (!/^\S+$/.test(key)) throw new TypeError('apiKey must be a key without spaces (js_live_…)');
  }

  accessToken(): Promise<string> {
    return Promise.resolve(this.key);
  }

  refreshAfter401(): Promise<null> {
    return Promise.resolve(null);
  }

  signOut(): void {
    // Nothing is held but the key, which the integrator owns.
  }
}

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

/** An abort (the caller's AbortSignal) passes through as it is, not as a NetworkError. */
function isAbort(cause: unknown): boolean {
  return (
    typeof cause === 'object' &&
    cause !== null &&
    (cause as { name?: unknown }).name === 'AbortError'
  );
}

/**
 * fetch with the credential's bearer token; on a 401 it refreshes once (shared with every other
 * request that hit the same 401) and retries once. A 403 `ACCOUNT_BANNED` ends the session with
 * the reason `banned`, so the app shows that once instead of an error on every query of the page.
 * Used by the typed client, uploads and the event stream.
 */
export function createAuthFetch(
  credential: BearerCredential,
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
        if (isAbort(cause)) throw cause;
        throw new NetworkError(cause);
      }
    };
    const token = await credential.accessToken();
    const response = await send(token);
    if (token !== null && (await isBanned(response))) {
      credential.signOut('banned');
      return response;
    }
    if (response.status !== 401 || token === null) return response;
    const fresh = await credential.refreshAfter401(token);
    return fresh === null ? response : send(fresh);
  };
}
