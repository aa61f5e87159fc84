import type { components } from './schema.js';

export type AuthResponse = components['schemas']['AuthResponseDto'];

/**
 * How a session gets a new access token. The API answers POST /v1/auth/refresh either from a
 * refresh token in the body (integrators) or from an httpOnly cookie with the CSRF header
 * (browsers). Switching between them is choosing the strategy passed to `Session`; nothing else changes.
 */
export interface RefreshStrategy {
  /** What sign-in and sign-up ask for as `refreshTokenDelivery`. */
  readonly delivery: 'body' | 'cookie';
  /** Remember what a sign-in or refresh returned (the body token, in memory only). */
  remember(auth: AuthResponse): void;
  /** Whether a refresh can be attempted at all (a page reload in body mode cannot). */
  canRefresh(): boolean;
  /** Ask the API for a new pair; resolves to the raw response. */
  refresh(fetchFn: typeof fetch, baseUrl: string): Promise<Response>;
  forget(): void;
}

/** Body mode: the refresh token lives in this object only, never in localStorage or sessionStorage. */
export class BodyRefreshStrategy implements RefreshStrategy {
  readonly delivery = 'body' as const;
  private refreshToken: string | null = null;

  remember(auth: AuthResponse): void {
    this.refreshToken = auth.refreshToken ?? null;
  }

  canRefresh(): boolean {
    return this.refreshToken !== null;
  }

  refresh(fetchFn: typeof fetch, baseUrl: string): Promise<Response> {
    return fetchFn(`${baseUrl}/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: this.refreshToken ?? '' }),
    });
  }

  forget(): void {
    this.refreshToken = null;
  }
}

/** The part of the Web Locks API (`navigator.locks`) a cookie refresh needs. */
export interface RefreshLocks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

function browserLocks(): RefreshLocks | undefined {
  return (globalThis as { navigator?: { locks?: RefreshLocks } }).navigator?.locks;
}

/**
 * Cookie mode: the API keeps the refresh token in an httpOnly, SameSite=Strict cookie scoped to
 * /v1/auth that JavaScript never sees; a refresh sends the cookie and the header
 * `X-CSRF-Protection: 1` (a foreign page cannot add it without a CORS preflight the API refuses).
 *
 * Every tab of the origin shares that one cookie, and each refresh rotates it: two tabs refreshing
 * at once (several opened together, each resuming its session) would both present the same
 * token, and the API takes the second use for theft and revokes the session. So a refresh holds
 * a Web Lock shared by the origin's tabs until its response (and its Set-Cookie) is in: the
 * next tab's refresh then leaves with the rotated cookie. Without Web Locks (an old browser, a
 * runtime without `navigator.locks`) refreshes are shared within one `Session` only, as before.
 */
export class CookieRefreshStrategy implements RefreshStrategy {
  readonly delivery = 'cookie' as const;

  /** `locks`: a stand-in for `navigator.locks` (tests); null refreshes without a lock. */
  constructor(private readonly locks: RefreshLocks | null = browserLocks() ?? null) {}

  remember(): void {
    // The API keeps the refresh token in its cookie; nothing to hold here.
  }

  canRefresh(): boolean {
    return true;
  }

  refresh(fetchFn: typeof fetch, baseUrl: string): Promise<Response> {
    const send = () =>
      fetchFn(`${baseUrl}/v1/auth/refresh`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json', 'x-csrf-protection': '1' },
        body: '{}',
      });
    // Named after the API it refreshes against: the cookie belongs to that origin.
    return this.locks ? this.locks.request(`jewelshot-refresh ${baseUrl}`, send) : send();
  }

  forget(): void {}
}
