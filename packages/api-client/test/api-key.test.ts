import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, BodyRefreshStrategy, createApi, unwrap } from '../src/index.js';
import { errorBody, json, loopback, type Loopback } from './loopback.js';

const KEY = `js_live_${'a'.repeat(24)}_${'b'.repeat(64)}`;

describe('createApi with an API key (Node, a real HTTP server on loopback)', () => {
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends Authorization: Bearer <key> on every call, and no cookie', async () => {
    server = await loopback((_request, response) =>
      json(response, 200, { available: 3, balance: 3, reserved: 0 }),
    );
    const api = createApi({ baseUrl: server.url, apiKey: KEY });
    await unwrap(api.client.GET('/v1/credits/balance'));
    await unwrap(api.client.GET('/v1/credits/balance'));
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${KEY}`,
      `Bearer ${KEY}`,
    ]);
    expect(server.requests.every((request) => request.headers.cookie === undefined)).toBe(true);
  });

  it('refreshes nothing on a 401: the refusal comes back as an ApiError after one request', async () => {
    server = await loopback((_request, response) =>
      json(response, 401, errorBody(401, 'UNAUTHORIZED')),
    );
    const api = createApi({ baseUrl: server.url, apiKey: KEY });
    const error = await unwrap(api.client.GET('/v1/credits/balance')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('UNAUTHORIZED');
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/credits/balance']);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('refuses a key with spaces, a key together with a refresh strategy, and no baseUrl in Node', () => {
    expect(() => createApi({ apiKey: KEY })).toThrow(/baseUrl/);
    expect(() => createApi({ baseUrl: 'http://127.0.0.1:9', apiKey: ` ${KEY}\n` })).toThrow(
      TypeError,
    );
    expect(() =>
      createApi({ baseUrl: 'http://127.0.0.1:9', apiKey: KEY, refresh: new BodyRefreshStrategy() }),
    ).toThrow(TypeError);
  });
});
