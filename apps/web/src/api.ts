import { createApi } from '@jewelshot/api-client';

/**
 * The SPA's one API instance. VITE_API_BASE_URL empty or unset: same origin (the API serves the
 * SPA, or the dev server proxies /v1). Switching to cookie-mode refresh is passing
 * `refresh: new CookieRefreshStrategy()` here.
 */
export const api = createApi({ baseUrl: import.meta.env.VITE_API_BASE_URL ?? '' });
