import type { components } from './schema';

export type AuthResponse = components['schemas']['AuthResponseDto'];

/**
 * How a session gets a new access token. The API answers POST /v1/auth/refresh either from a
 * refresh token in the body (today) or, once it offers it, from an httpOnly cookie with a CSRF
 * header. Switching between them is choosing the strategy passed to `Session`; nothing else changes.
 */
export interface RefreshStrategy {
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
  private refreshToken: string | null = null;

  remember(auth: AuthResponse): void {
    this.refreshToken = auth.refreshToken;
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

/**
 * Cookie mode (for when the API sets the refresh token as an httpOnly cookie): the browser sends
 * the cookie, and a CSRF token read from a readable cookie goes back in a header.
 */
export class CookieRefreshStrategy implements RefreshStrategy {
  constructor(
    private readonly csrfCookie = 'jewelshot_csrf',
    private readonly csrfHeader = 'x-csrf-token',
    private readonly readCookies: () => string = () =>
      typeof document === 'undefined' ? '' : document.cookie,
  ) {}

  remember(): void {
    // The API keeps the refresh token in its cookie; nothing to hold here.
  }

  canRefresh(): boolean {
    return true;
  }

  refresh(fetchFn: typeof fetch, baseUrl: string): Promise<Response> {
    const csrf = this.readCookies()
      .split(';')
      .map((part) => part.trim().split('='))
      .find(([name]) => name === this.csrfCookie)?.[1];
    return fetchFn(`${baseUrl}/v1/auth/refresh`, {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json', [this.csrfHeader]: csrf ?? '' },
      body: '{}',
    });
  }

  forget(): void {}
}
