import createClient from 'openapi-fetch';
import { createAuthFetch } from './auth-fetch';
import { toApiError } from './errors';
import { streamJobEvents, type JobStreamHandlers } from './job-events';
import { BodyRefreshStrategy, type RefreshStrategy } from './refresh-strategy';
import type { paths } from './schema';
import { Session } from './session';
import { uploadImage } from './upload';

export interface ApiOptions {
  /** Origin of the API; empty means the page's own origin. */
  baseUrl?: string;
  refresh?: RefreshStrategy;
  fetch?: typeof fetch;
}

/** The SPA's one way to /v1: typed calls, token handling, uploads and job event streams. */
export function createApi(options: ApiOptions = {}) {
  const baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
  const fetchFn =
    options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const strategy = options.refresh ?? new BodyRefreshStrategy();
  const session = new Session(strategy, baseUrl, fetchFn);
  const authFetch = createAuthFetch(session, fetchFn);
  // Cookie mode: the auth routes' Set-Cookie must count even when the SPA is on another origin.
  const credentials: RequestCredentials =
    strategy.delivery === 'cookie' ? 'include' : 'same-origin';
  const client = createClient<paths>({ baseUrl, fetch: authFetch, credentials });

  return {
    client,
    session,
    /** Pass as `refreshTokenDelivery` when signing in or up. */
    refreshTokenDelivery: strategy.delivery,
    authFetch,
    upload: (
      file: Blob,
      onProgress?: (fraction: number) => void,
      signal?: AbortSignal,
      idempotencyKey?: string,
    ) => uploadImage(session, baseUrl, file, onProgress, signal, idempotencyKey),
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
