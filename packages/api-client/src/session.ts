import { NetworkError, toApiError } from './errors.js';
import type { AuthResponse, RefreshStrategy } from './refresh-strategy.js';

export type SessionUser = AuthResponse['user'];

export type SessionState =
  | { status: 'signed-out'; reason?: 'expired' | 'banned' | 'signed-out' }
  | { status: 'signed-in'; user: SessionUser };

/** Refresh this long before the access token's `exp`, so a request never leaves with a dead token. */
const EXPIRY_SKEW_MS = 30_000;

function expiryOf(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * The access token lives here, in memory. `accessToken()` refreshes silently when it is about to
 * expire, and `refreshAfter401()` once after a 401; either way concurrent callers share ONE refresh
 * (refresh tokens are single-use: a second refresh with the same one would revoke the session).
 * Across the tabs of a browser, which share the refresh cookie, `CookieRefreshStrategy` takes turns.
 */
export class Session {
  private token: string | null = null;
  private expiresAt: number | null = null;
  private inflight: Promise<string | null> | null = null;
  private state: SessionState = { status: 'signed-out' };
  private readonly listeners = new Set<(state: SessionState) => void>();

  constructor(
    private readonly strategy: RefreshStrategy,
    private readonly baseUrl: string,
    private readonly fetchFn: typeof fetch = (...args) => globalThis.fetch(...args),
    private readonly now: () => number = Date.now,
  ) {}

  get current(): SessionState {
    return this.state;
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Store what sign-in, sign-up or a refresh returned. */
  signIn(auth: AuthResponse): void {
    this.token = auth.accessToken;
    this.expiresAt = expiryOf(auth.accessToken);
    this.strategy.remember(auth);
    this.setState({ status: 'signed-in', user: auth.user });
  }

  signOut(reason: 'expired' | 'banned' | 'signed-out' = 'signed-out'): void {
    this.forget();
    this.setState({ status: 'signed-out', reason });
  }

  /** A token fit to send now, refreshing first when it expires within the skew. */
  async accessToken(): Promise<string | null> {
    if (this.inflight) return this.inflight;
    if (this.token && this.expiresAt !== null && this.expiresAt - this.now() < EXPIRY_SKEW_MS) {
      return this.refresh();
    }
    return this.token;
  }

  /**
   * A request sent with `staleToken` came back 401. If someone already replaced that token, use
   * theirs; otherwise refresh (joining a refresh in flight). Null: the session is over.
   */
  async refreshAfter401(staleToken: string | null): Promise<string | null> {
    if (this.inflight) return this.inflight;
    if (this.token !== null && this.token !== staleToken) return this.token;
    return this.refresh();
  }

  /**
   * Try to resume a session (cookie mode after a reload); false when there is none. Finding none
   * is not a session ending: the state stays as it was (on a page just loaded, signed out with
   * no reason: nothing to tell the visitor).
   */
  async resume(): Promise<boolean> {
    if (!this.strategy.canRefresh()) return false;
    return (await this.refresh()) !== null;
  }

  private refresh(): Promise<string | null> {
    if (!this.inflight) {
      this.inflight = this.doRefresh().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private async doRefresh(): Promise<string | null> {
    if (!this.strategy.canRefresh()) {
      if (this.state.status === 'signed-in') this.signOut('expired');
      return null;
    }
    let response: Response;
    try {
      response = await this.strategy.refresh(this.fetchFn, this.baseUrl);
    } catch (cause) {
      // Offline is not signed out: keep the session, let the caller fail and retry later.
      throw new NetworkError(cause);
    }
    if (response.ok) {
      this.signIn((await response.json()) as AuthResponse);
      return this.token;
    }
    const error = toApiError(response, await response.json().catch(() => null));
    // Any refusal (400 when another tab's Sign out took the cookie away, 401, 403, 404…) ends
    // the session: asking again will not change the answer. A 429 or a 5xx, like a lost
    // connection, is passing: keep the session and let the caller surface the error.
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      if (error.code === 'ACCOUNT_BANNED') this.signOut('banned');
      else if (this.state.status === 'signed-in') this.signOut('expired');
      // Nobody was signed in (a resume on the first visit, or after a sign-out): no session
      // ended, so there is nothing to tell the visitor; the state stays as it was.
      else this.forget();
      return null;
    }
    throw error;
  }

  private forget(): void {
    this.token = null;
    this.expiresAt = null;
    this.strategy.forget();
  }

  private setState(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}
