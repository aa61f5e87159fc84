import createClient from 'openapi-fetch';
import { ApiKeyCredential, createAuthFetch, type BearerCredential } from './auth-fetch.js';
import { toApiError } from './errors.js';
import { streamJobEvents, type JobStreamHandlers } from './job-events.js';
import { BodyRefreshStrategy, type RefreshStrategy } from './refresh-strategy.js';
import type { paths } from './schema.js';
import { Session } from './session.js';
import { uploadImage } from './upload.js';

export interface ApiOptions {
  /**
   * Origin of the API, e.g. `https://api.example.com`. Empty means the page's own origin, which
   * only a browser has: in Node, always give it.
   */
  baseUrl?: string;
  /**
   * An API key (`js_live_…`, from POST /v1/api-keys). Every request then carries
   * `Authorization: Bearer <key>` and nothing is ever refreshed (a refused key stays refused);
   * `session` is not used. Not together with `refresh`.
   */
  apiKey?: string;
  /** How a signed-in person's session is refreshed (default: `BodyRefreshStrategy`). */
  refresh?: RefreshStrategy;
  fetch?: typeof fetch;
}

/**
 * Typed calls to /v1 with token handling, uploads and job event streams: the SPA's one way to
 * the API (a person's session), and an integrator's (an API key).
 */
export function createApi(options: ApiOptions = {}) {
  if (options.apiKey !== undefined && options.refresh !== undefined) {
    throw new TypeError('createApi: give either apiKey or refresh, not both');
  }
  const baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
  if (baseUrl === '' && (globalThis as { location?: unknown }).location === undefined) {
    // Relative URLs would fail on the first request, with a less helpful message.
    throw new TypeError('createApi: give baseUrl (the API origin): only a page has an origin');
  }
  const fetchFn =
    options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const strategy = options.refresh ?? new BodyRefreshStrategy();
  const session = new Session(strategy, baseUrl, fetchFn);
  const credential: BearerCredential =
    options.apiKey === undefined ? session : new ApiKeyCredential(options.apiKey);
  const authFetch = createAuthFetch(credential, fetchFn);
  // Cookie mode: the auth routes' Set-Cookie must count even when the SPA is on another origin.
  // A key never rides with cookies.
  const credentials: RequestInit['credentials'] =
    options.apiKey !== undefined
      ? 'omit'
      : strategy.delivery === 'cookie'
        ? 'include'
        : 'same-origin';
  const client = createClient<paths>({ baseUrl, fetch: authFetch, credentials });

  return {
    client,
    session,
    /** Pass as `refreshTokenDelivery` when signing in or up. */
    refreshTokenDelivery: strategy.delivery,
    authFetch,
    /**
     * POST /v1/uploads. Where XMLHttpRequest exists (browsers) it reports progress; elsewhere
     * (Node) it sends with fetch and FormData, and `onProgress` is never called.
     */
    upload: (
      file: Blob,
      onProgress?: (fraction: number) => void,
      signal?: AbortSignal,
      idempotencyKey?: string,
    ) => uploadImage({ credential, client, baseUrl }, file, onProgress, signal, idempotencyKey),
    /** Follows GET /v1/ai/jobs/{id}/events (browsers and Node alike); returns a stop function. */
    streamJob: (jobId: string, handlers: JobStreamHandlers) =>
      streamJobEvents(authFetch, baseUrl, jobId, handlers),
  };
}

export type Api = ReturnType<typeof createApi>;

/** openapi-fetch returns `{ data, error, response }`; this returns the data or throws an ApiError. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(response, error);
  return data as T;
}
