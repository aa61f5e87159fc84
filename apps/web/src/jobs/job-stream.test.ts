import { createApi, type Job } from '@jewelshot/api-client';
import { describe, expect, it } from 'vitest';
import { aJob } from '../test/seller-api';

const job = (status: Job['status']): Job => aJob({ id: 'j1', status });

const frame = (status: Job['status']) => `event: status\ndata: ${JSON.stringify(job(status))}\n\n`;

/** An event-stream response that sends `frames`, then either ends or drops like a lost connection. */
function stream(frames: string[], drop: boolean): Response {
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        for (const f of frames) controller.enqueue(new TextEncoder().encode(f));
      } else if (drop) controller.error(new TypeError('network connection lost'));
      else controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error('condition not reached');
};

describe('the job event stream', () => {
  it('sends the bearer token, and resumes when the browser is back online after a drop', async () => {
    const seen: string[] = [];
    const auth: (string | null)[] = [];
    let connections = 0;
    const fetchFn: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      auth.push(request.headers.get('authorization'));
      connections += 1;
      return connections === 1
        ? stream([frame('queued')], true)
        : stream([frame('running'), frame('succeeded')], false);
    };
    const api = createApi({ baseUrl: 'http://api.test', fetch: fetchFn });
    api.session.signIn({
      accessToken: 'a.e30.s',
      refreshToken: 'r',
      user: { id: 'u', email: 'u@example.com', role: 'user' },
    });
    let reconnecting = 0;
    let ended: string | null = null;
    api.streamJob('j1', {
      onJob: (next) => seen.push(next.status),
      onReconnecting: () => (reconnecting += 1),
      onEnd: (reason) => (ended = reason),
    });
    await until(() => reconnecting > 0);
    expect(seen).toEqual(['queued']);
    window.dispatchEvent(new Event('online'));
    await until(() => ended !== null);
    expect(seen).toEqual(['queued', 'running', 'succeeded']);
    expect(ended).toBe('terminal');
    expect(auth.every((value) => value === 'Bearer a.e30.s')).toBe(true);
  });

  it('gives up with the API error when the stream is refused', async () => {
    const fetchFn: typeof fetch = async () =>
      Response.json(
        { statusCode: 404, code: 'RESOURCE_NOT_FOUND', error: 'Not Found', requestId: 'x' },
        { status: 404 },
      );
    const api = createApi({ baseUrl: 'http://api.test', fetch: fetchFn });
    let ended: { reason: string; error: unknown } | null = null;
    api.streamJob('nope', {
      onJob: () => {},
      onEnd: (reason, error) => (ended = { reason, error }),
    });
    await until(() => ended !== null);
    expect(ended).toMatchObject({ reason: 'error', error: { code: 'RESOURCE_NOT_FOUND' } });
  });

  it('retries a 429 (after its Retry-After) and a 503 (with backoff) until the job finishes', async () => {
    const seen: string[] = [];
    const at: number[] = [];
    const fetchFn: typeof fetch = async () => {
      at.push(Date.now());
      if (at.length === 1) {
        return Response.json(
          { statusCode: 429, code: 'RATE_LIMITED', error: 'Too Many Requests', requestId: 'x' },
          { status: 429, headers: { 'retry-after': '1' } },
        );
      }
      if (at.length === 2) {
        return Response.json(
          { statusCode: 503, code: 'INTERNAL_ERROR', error: 'Unavailable', requestId: 'y' },
          { status: 503 },
        );
      }
      return stream([frame('running'), frame('succeeded')], false);
    };
    const api = createApi({ baseUrl: 'http://api.test', fetch: fetchFn });
    let reconnecting = 0;
    let ended: string | null = null;
    api.streamJob('j1', {
      onJob: (next) => seen.push(next.status),
      onReconnecting: () => (reconnecting += 1),
      onEnd: (reason) => (ended = reason),
    });
    for (let i = 0; i < 200 && ended === null; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(ended).toBe('terminal');
    expect(seen).toEqual(['running', 'succeeded']);
    expect(reconnecting).toBe(2);
    expect(at).toHaveLength(3);
    // Retry-After: 1 second, not the backoff's 2.
    const [first = 0, second = 0] = at;
    expect(second - first).toBeGreaterThanOrEqual(900);
    expect(second - first).toBeLessThan(1900);
  }, 10_000);

  it('refreshes the session on a 401 and opens the stream with the new token', async () => {
    const auth: (string | null)[] = [];
    let refreshes = 0;
    const fetchFn: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname === '/v1/auth/refresh') {
        refreshes += 1;
        return Response.json({
          accessToken: 'b.e30.s',
          refreshToken: 'r2',
          user: { id: 'u', email: 'u@example.com', role: 'user' },
        });
      }
      auth.push(request.headers.get('authorization'));
      return request.headers.get('authorization') === 'Bearer b.e30.s'
        ? stream([frame('succeeded')], false)
        : Response.json(
            { statusCode: 401, code: 'UNAUTHORIZED', error: 'no', requestId: 'x' },
            { status: 401 },
          );
    };
    const api = createApi({ baseUrl: 'http://api.test', fetch: fetchFn });
    api.session.signIn({
      accessToken: 'a.e30.s',
      refreshToken: 'r',
      user: { id: 'u', email: 'u@example.com', role: 'user' },
    });
    let ended: string | null = null;
    api.streamJob('j1', { onJob: () => {}, onEnd: (reason) => (ended = reason) });
    await until(() => ended !== null);
    expect(ended).toBe('terminal');
    expect(refreshes).toBe(1);
    expect(auth).toEqual(['Bearer a.e30.s', 'Bearer b.e30.s']);
  });

  it('gives up on a 403', async () => {
    let requests = 0;
    const fetchFn: typeof fetch = async () => {
      requests += 1;
      return Response.json(
        { statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden', requestId: 'x' },
        { status: 403 },
      );
    };
    const api = createApi({ baseUrl: 'http://api.test', fetch: fetchFn });
    let ended: { reason: string; error: unknown } | null = null;
    api.streamJob('j1', { onJob: () => {}, onEnd: (reason, error) => (ended = { reason, error }) });
    await until(() => ended !== null);
    expect(ended).toMatchObject({ reason: 'error', error: { code: 'FORBIDDEN' } });
    expect(requests).toBe(1);
  });
});
