import { createApi, type Job } from '@jewelshot/api-client';
import { describe, expect, it } from 'vitest';

const job = (status: Job['status']): Job => ({
  id: 'j1',
  operation: 'remove-background',
  params: {},
  status,
  priority: 'normal',
  cost: 1,
  attempts: 1,
  cancelRequested: false,
  batchId: null,
  queuedAt: '2026-11-28T09:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  error: null,
  outputs: [],
});

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
});
