import { ApiError, toApiError } from './errors.js';
import { EventStreamParser, type ServerSentEvent } from './event-stream.js';
import type { components } from './schema.js';

export type Job = components['schemas']['JobDto'];

const TERMINAL: ReadonlySet<Job['status']> = new Set(['succeeded', 'failed', 'canceled']);

export function isTerminal(status: Job['status']): boolean {
  return TERMINAL.has(status);
}

export interface JobStreamHandlers {
  onJob(job: Job): void;
  /** The stream ended for good: a terminal status, the session ended, or a refused request. */
  onEnd?(reason: 'terminal' | 'session-ended' | 'error', error?: unknown): void;
  /** The connection dropped; the stream will resume on its own (in a browser, also once back online). */
  onReconnecting?(): void;
}

class FatalStreamError extends Error {}

/** A refusal that passes (429: too many streams or requests; 5xx: the API restarting). */
class PassingStreamError extends Error {
  constructor(readonly error: ApiError) {
    super('refused for now', { cause: error });
  }
}

const EVENT_STREAM = 'text/event-stream';
/** The first wait after a drop when the stream set no `retry:`; each failure in a row doubles it. */
const DEFAULT_RECONNECT_MS = 2000;
/** Backoff stops doubling here (a longer `retry:` from the API is kept as it is). */
const MAX_BACKOFF_MS = 30_000;
/** Waiting for Retry-After, but not in a tight loop on `Retry-After: 0`. */
const MIN_RETRY_MS = 500;

/** Retry-After of a passing refusal (or of a refresh answered 429/5xx), in milliseconds. */
const retryAfterMsOf = (error: unknown): number | null => {
  const apiError = error instanceof PassingStreamError ? error.error : error;
  if (!(apiError instanceof ApiError) || apiError.retryAfterSeconds === null) return null;
  return Math.max(apiError.retryAfterSeconds * 1000, MIN_RETRY_MS);
};

/** Where `online` events come from: the browser's window; absent in Node. */
interface OnlineEvents {
  addEventListener(type: 'online', listener: () => void): void;
  removeEventListener(type: 'online', listener: () => void): void;
}

function onlineEvents(): OnlineEvents | null {
  const scope = globalThis as { window?: unknown; addEventListener?: unknown };
  const target = (scope.window ?? scope) as Partial<OnlineEvents>;
  return typeof target.addEventListener === 'function' &&
    typeof target.removeEventListener === 'function'
    ? (target as OnlineEvents)
    : null;
}

/**
 * GET /v1/ai/jobs/{id}/events, read with fetch over the authenticated fetch (which refreshes on
 * 401): EventSource cannot send a bearer header, and Node has no EventSource. The same code runs
 * in browsers and in Node 20+ (fetch, ReadableStream and TextDecoder are all it needs).
 *
 * A dropped connection, or a 429 or 5xx answer, is retried: after Retry-After when the answer
 * gave one, else with backoff from the stream's `retry:` (2 s when it sent none), doubling on
 * each failure in a row up to 30 s, and at once when a browser comes back online. A reconnection
 * sends the last event id as Last-Event-ID, as EventSource does; the API's first event on a new
 * connection is the job's current status anyway, so nothing is missed.
 */
export function streamJobEvents(
  authFetch: typeof fetch,
  baseUrl: string,
  jobId: string,
  handlers: JobStreamHandlers,
): () => void {
  const url = `${baseUrl}/v1/ai/jobs/${encodeURIComponent(jobId)}/events`;
  const online = onlineEvents();
  let ended = false;
  let current: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastEventId = '';
  let reconnectMs = DEFAULT_RECONNECT_MS;
  let failures = 0;

  const stop = () => {
    ended = true;
    clearTimeout(timer);
    current?.abort();
    online?.removeEventListener('online', reconnectNow);
  };

  const end = (reason: 'terminal' | 'session-ended' | 'error', error?: unknown) => {
    if (ended) return;
    stop();
    handlers.onEnd?.(reason, error);
  };

  const onEvent = (event: ServerSentEvent) => {
    if (event.event === 'status') {
      const job = JSON.parse(event.data) as Job;
      handlers.onJob(job);
      if (isTerminal(job.status)) end('terminal');
    } else if (event.event === 'end') {
      end('session-ended');
    }
  };

  const opened = async (response: Response) => {
    const type = response.headers.get('content-type') ?? '';
    if (response.ok && type.startsWith(EVENT_STREAM)) return;
    const body: unknown = await response.json().catch(() => null);
    const error = toApiError(response, body);
    // A 429 or a 5xx passes: try again (after Retry-After when given). A 401 here comes after
    // authFetch's refresh failed to help (the session is over); a 404 or 403 will not change.
    if (response.status === 429 || response.status >= 500) throw new PassingStreamError(error);
    throw new FatalStreamError('refused', { cause: error });
  };

  /** Reads the events of one connection until it closes (or this stream is stopped). */
  const read = async (response: Response, signal: AbortSignal) => {
    if (!response.body) throw new Error('an event stream without a body');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new EventStreamParser(lastEventId);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        const events = parser.push(
          done ? decoder.decode() : decoder.decode(value, { stream: true }),
        );
        if (done) parser.end();
        lastEventId = parser.lastEventId;
        if (parser.retryMs !== null) reconnectMs = parser.retryMs;
        for (const event of events) {
          if (ended || signal.aborted) return;
          onEvent(event);
        }
        if (done) return;
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  };

  const connect = async () => {
    clearTimeout(timer);
    current?.abort();
    const controller = new AbortController();
    current = controller;
    try {
      const headers: Record<string, string> = { accept: EVENT_STREAM };
      if (lastEventId !== '') headers['last-event-id'] = lastEventId;
      const response = await authFetch(url, { headers, signal: controller.signal });
      await opened(response);
      failures = 0;
      await read(response, controller.signal);
      if (!ended && !controller.signal.aborted) throw new Error('stream closed early');
    } catch (error) {
      if (ended || controller.signal.aborted) return;
      if (error instanceof FatalStreamError) {
        end('error', error.cause);
        return;
      }
      handlers.onReconnecting?.();
      let wait = retryAfterMsOf(error);
      if (wait === null) {
        failures += 1;
        wait = Math.min(reconnectMs * 2 ** (failures - 1), Math.max(MAX_BACKOFF_MS, reconnectMs));
      }
      timer = setTimeout(() => void connect(), wait);
    }
  };

  function reconnectNow() {
    if (ended) return;
    failures = 0;
    void connect();
  }

  online?.addEventListener('online', reconnectNow);
  void connect();
  return stop;
}
