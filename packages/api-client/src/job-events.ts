import { EventStreamContentType, fetchEventSource } from '@microsoft/fetch-event-source';
import { ApiError, toApiError } from './errors';
import type { components } from './schema';

export type Job = components['schemas']['JobDto'];

const TERMINAL: ReadonlySet<Job['status']> = new Set(['succeeded', 'failed', 'canceled']);

export function isTerminal(status: Job['status']): boolean {
  return TERMINAL.has(status);
}

export interface JobStreamHandlers {
  onJob(job: Job): void;
  /** The stream ended for good: a terminal status, the session ended, or a refused request. */
  onEnd?(reason: 'terminal' | 'session-ended' | 'error', error?: unknown): void;
  /** The connection dropped; the stream will resume on its own (with the browser back online). */
  onReconnecting?(): void;
}

class FatalStreamError extends Error {}

/** A refusal that passes (429: too many streams or requests; 5xx: the API restarting). */
class PassingStreamError extends Error {
  constructor(readonly error: ApiError) {
    super('refused for now', { cause: error });
  }
}

/** Waiting for Retry-After, but not in a tight loop on `Retry-After: 0`. */
const MIN_RETRY_MS = 500;

/** Retry-After of a passing refusal (or of a refresh answered 429/5xx), in milliseconds. */
const retryAfterMsOf = (error: unknown): number | null => {
  const apiError = error instanceof PassingStreamError ? error.error : error;
  if (!(apiError instanceof ApiError) || apiError.retryAfterSeconds === null) return null;
  return Math.max(apiError.retryAfterSeconds * 1000, MIN_RETRY_MS);
};

/**
 * GET /v1/ai/jobs/{id}/events. EventSource cannot send a bearer header, so this uses
 * @microsoft/fetch-event-source over the session's authenticated fetch (which refreshes on 401).
 * A dropped connection, or a 429 or 5xx answer, is retried with backoff (or after Retry-After),
 * and immediately when the browser comes back online;
 * the first event after reconnecting is the job's current status, so nothing is missed.
 */
export function streamJobEvents(
  authFetch: typeof fetch,
  baseUrl: string,
  jobId: string,
  handlers: JobStreamHandlers,
): () => void {
  const controller = new AbortController();
  let ended = false;
  let retryMs = 1000;

  const end = (reason: 'terminal' | 'session-ended' | 'error', error?: unknown) => {
    if (ended) return;
    ended = true;
    controller.abort();
    window.removeEventListener('online', reconnectNow);
    handlers.onEnd?.(reason, error);
  };

  let current: AbortController | null = null;
  const connect = () => {
    current = new AbortController();
    const signal = current.signal;
    controller.signal.addEventListener('abort', () => current?.abort(), { once: true });
    void fetchEventSource(`${baseUrl}/v1/ai/jobs/${encodeURIComponent(jobId)}/events`, {
      fetch: authFetch,
      signal,
      openWhenHidden: true,
      async onopen(response) {
        const type = response.headers.get('content-type') ?? '';
        if (response.ok && type.startsWith(EventStreamContentType)) {
          retryMs = 1000;
          return;
        }
        const body: unknown = await response.json().catch(() => null);
        const error = toApiError(response, body);
        // A 429 or a 5xx passes: try again (after Retry-After when given). A 401 here comes after
        // authFetch's refresh failed to help (the session is over); a 404 or 403 will not change.
        if (response.status === 429 || response.status >= 500) throw new PassingStreamError(error);
        throw new FatalStreamError('refused', { cause: error });
      },
      onmessage(message) {
        if (message.event === 'status') {
          const job = JSON.parse(message.data) as Job;
          handlers.onJob(job);
          if (isTerminal(job.status)) end('terminal');
        } else if (message.event === 'end') {
          end('session-ended');
        }
      },
      onclose() {
        if (!ended) throw new Error('stream closed early');
      },
      onerror(error) {
        if (error instanceof FatalStreamError) throw error;
        handlers.onReconnecting?.();
        const retryAfterMs = retryAfterMsOf(error);
        if (retryAfterMs !== null) return retryAfterMs;
        retryMs = Math.min(retryMs * 2, 30_000);
        return retryMs;
      },
    }).catch((error: unknown) => {
      if (ended || signal.aborted) return;
      end('error', error instanceof FatalStreamError ? error.cause : error);
    });
  };

  const reconnectNow = () => {
    if (ended) return;
    current?.abort();
    retryMs = 1000;
    connect();
  };
  window.addEventListener('online', reconnectNow);
  connect();
  return () => {
    ended = true;
    controller.abort();
    window.removeEventListener('online', reconnectNow);
  };
}
