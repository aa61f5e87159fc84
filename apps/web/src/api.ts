import { CookieRefreshStrategy, createApi } from '@jewelshot/api-client';

/**
 * The SPA's one API instance. VITE_API_BASE_URL empty or unset: same origin (the API serves the
 * SPA, or the dev server proxies /v1). The refresh token lives in the API's httpOnly cookie,
 * never in JavaScript; the access token in memory only.
 */
export const api = createApi({
  baseUrl: import.meta.env.VITE_API_BASE_URL ?? '',
  refresh: new CookieRefreshStrategy(),
});
