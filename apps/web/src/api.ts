import { CookieRefreshStrategy, createApi } from '@jewelshot/api-client';
import { withDeviceId } from './device-id';

/**
 * The SPA's one API instance. VITE_API_BASE_URL empty or unset: same origin (the API serves the
 * SPA, or the dev server proxies /v1). The refresh token lives in the API's httpOnly cookie,
 * never in JavaScript; the access token in memory only. Every request carries the browser's
 * X-Device-Id (device-id.ts).
 */
export const api = createApi({
  baseUrl: import.meta.env.VITE_API_BASE_URL ?? '',
  refresh: new CookieRefreshStrategy(),
  fetch: withDeviceId((...args: Parameters<typeof fetch>) => globalThis.fetch(...args)),
});
