import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, createApi } from '../src/index.js';
import { errorBody, json, loopback, type Loopback, type SeenRequest } from './loopback.js';

const KEY = `js_live_${'c'.repeat(24)}_${'d'.repeat(64)}`;

/** What the API answers for a stored file (the client hands it back as it came). */
const stored = {
  id: '5d7f0d3e-8a7b-4c55-9c1e-2f1f3f1a0b01',
  bytes: 3,
  contentType: 'image/png',
  width: 1,
  height: 1,
  url: '/v1/files/5d7f0d3e-8a7b-4c55-9c1e-2f1f3f1a0b01/content?expires=1&sig=x',
  urlExpiresAt: '2030-01-01T00:00:00.000Z',
};

/** The multipart body a request carried, parsed by undici as a server framework would. */
function formOf(request: SeenRequest): Promise<FormData> {
  return new Request('http://127.0.0.1/', {
    method: 'POST',
    headers: { 'content-type': String(request.headers['content-type']) },
    body: request.body,
  }).formData();
}

describe('api.upload where there is no XMLHttpRequest (Node: fetch and FormData)', () => {
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('posts the file as multipart form data with the key and the Idempotency-Key', async () => {
    expect(typeof (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest).toBe('undefined');
    server = await loopback((_request, response) => json(response, 201, stored));
    const api = createApi({ baseUrl: server.url, apiKey: KEY });
    const progress: number[] = [];
    const photo = new Blob([new Uint8Array([137, 80, 78])], { type: 'image/png' });

    await expect(api.upload(photo, (f) => progress.push(f), undefined, 'ring-42')).resolves.toEqual(
      stored,
    );
    await api.upload(photo);

    const [first, second] = server.requests;
    expect(first).toMatchObject({ method: 'POST', path: '/v1/uploads' });
    expect(first?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(first?.headers['idempotency-key']).toBe('ring-42');
    expect(first?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(second?.headers).not.toHaveProperty('idempotency-key');
    const file = (await formOf(first as SeenRequest)).get('file');
    expect(file).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (file as Blob).arrayBuffer())]).toEqual([137, 80, 78]);
    expect((file as Blob).type).toBe('image/png');
    // Progress is an XMLHttpRequest feature: fetch reports none.
    expect(progress).toEqual([]);
  });

  it('refreshes a session once on a 401 and sends the file again with the new token', async () => {
    server = await loopback((request, response) => {
      if (request.path === '/v1/auth/refresh') {
        json(response, 200, {
          accessToken: 'b.e30.s',
          refreshToken: 'r2',
          user: { id: 'u', email: 'u@example.com', role: 'user' },
        });
      } else if (request.headers.authorization === 'Bearer b.e30.s') {
        json(response, 201, stored);
      } else {
        json(response, 401, errorBody(401, 'UNAUTHORIZED'));
      }
    });
    const api = createApi({ baseUrl: server.url });
    api.session.signIn({
      accessToken: 'a.e30.s',
      refreshToken: 'r1',
      user: { id: 'u', email: 'u@example.com', role: 'user' },
    });
    await expect(api.upload(new Blob([new Uint8Array([1])]))).resolves.toEqual(stored);
    expect(server.requests.map((r) => `${r.path} ${r.headers.authorization ?? ''}`)).toEqual([
      '/v1/uploads Bearer a.e30.s',
      '/v1/auth/refresh ',
      '/v1/uploads Bearer b.e30.s',
    ]);
    const retried = (await formOf(server.requests[2] as SeenRequest)).get('file') as Blob;
    expect(retried.size).toBe(1);
  });

  it('rejects with the API error (and its Retry-After) when the upload is refused', async () => {
    server = await loopback((_request, response) =>
      json(response, 503, errorBody(503, 'SERVICE_UNAVAILABLE'), { 'retry-after': '7' }),
    );
    const api = createApi({ baseUrl: server.url, apiKey: KEY });
    const error = await api.upload(new Blob([new Uint8Array([1])])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 7 });
  });

  it('stops when its signal aborts', async () => {
    server = await loopback(() => {
      // Never answers: only the abort ends the upload.
    });
    const api = createApi({ baseUrl: server.url, apiKey: KEY });
    const controller = new AbortController();
    const upload = api.upload(new Blob([new Uint8Array([1])]), undefined, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(upload).rejects.toMatchObject({ name: 'AbortError' });
  });
});
