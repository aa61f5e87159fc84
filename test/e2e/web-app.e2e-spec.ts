import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { metricsRegistry } from '@jewelshot/platform';
import { startApi, type TestApi } from '../support/app';
import { bearer, newUser } from '../support/factories';

const SPA_ORIGIN = 'https://shop.example.com';
const INDEX = '<!doctype html><html><body><div id="root"></div></body></html>';

function cookieOf(setCookie: string[] | string | undefined, name: string): string | undefined {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return all.find((line) => line.startsWith(`${name}=`));
}

function cookieValue(line: string | undefined): string {
  const [pair = ''] = (line ?? '').split(';', 1);
  return pair.split('=').slice(1).join('=');
}

describe('the SPA served by the API, CORS and the refresh cookie', () => {
  let api: TestApi;
  let dist: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'jewelshot-web-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'index-3f2a9c.js'), 'console.log("app")');
    api = await startApi({ WEB_DIST_DIR: dist, CORS_ORIGINS: SPA_ORIGIN });
  });

  afterAll(async () => {
    await api.close();
    rmSync(dist, { recursive: true, force: true });
  });

  describe('static files', () => {
    it('serves index.html at / and never lets it be cached', async () => {
      const res = await api.http().get('/').set('Accept', 'text/html');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toBe(INDEX);
    });

    it('serves hashed assets with a year-long immutable cache', async () => {
      const res = await api.http().get('/assets/index-3f2a9c.js');
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.text).toBe('console.log("app")');
    });

    it('counts every file of the build under one route label, never its own name', async () => {
      await api.http().get('/assets/index-3f2a9c.js');
      await api.http().get('/').set('Accept', 'text/html');
      const histogram = metricsRegistry.getSingleMetric('jewelshot_http_request_duration_seconds');
      const values = (await histogram?.get())?.values ?? [];
      const routes = new Set(values.map((value) => String(value.labels.route)));
      expect(routes).toContain('static');
      expect(
        [...routes].filter((route) => /assets|index\.html/.test(route) || route === '/'),
      ).toEqual([]);
    });

    it('answers a deep link of the SPA with index.html (history fallback)', async () => {
      const res = await api.http().get('/jobs/0b6f7c1e?tab=result').set('Accept', 'text/html');
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.text).toBe(INDEX);
    });

    it('keeps unknown API paths a JSON 404, even for a browser', async () => {
      for (const path of ['/v1/does-not-exist', '/v2/jobs', '/health/nope', '/openapi.xml']) {
        const res = await api.http().get(path).set('Accept', 'text/html,application/json');
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ statusCode: 404, code: 'RESOURCE_NOT_FOUND' });
      }
    });

    it('does not fall back for non-GET requests or non-HTML clients', async () => {
      const json = await api.http().get('/jobs/1').set('Accept', 'application/json');
      expect(json.status).toBe(404);
      expect(json.body.code).toBe('RESOURCE_NOT_FOUND');
      const post = await api.http().post('/jobs/1').set('Accept', 'text/html').send({});
      expect(post.status).toBe(404);
    });

    it('leaves the API, health and docs as they were', async () => {
      expect((await api.http().get('/health/live')).status).toBe(200);
      expect((await api.http().get('/openapi.json')).status).toBe(200);
      expect((await api.http().get('/v1/me')).status).toBe(401);
    });
  });

  describe('security headers', () => {
    it('sends a policy that forbids framing and inline script, no referrer and nosniff, on the app and the API', async () => {
      for (const path of ['/', '/jobs/123', '/v1/prices', '/docs', '/v1/nowhere']) {
        const res = await api.http().get(path).set('Accept', 'text/html');
        const csp = String(res.headers['content-security-policy']);
        expect({ path, csp }).toEqual({
          path,
          csp: expect.stringContaining("frame-ancestors 'none'"),
        });
        expect(csp).toContain("script-src 'self';");
        expect(csp).toContain("object-src 'none'");
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        // Plain http in development: no HSTS, no upgrade of requests.
        expect(res.headers['strict-transport-security']).toBeUndefined();
        expect(csp).not.toContain('upgrade-insecure-requests');
      }
    });

    it('lets no cache keep what /v1 answers, and leaves the app its own caching', async () => {
      const user = await newUser(api, 'nostore');
      const me = await api
        .http()
        .get('/v1/me')
        .set(...bearer(user.accessToken));
      expect(me.status).toBe(200);
      expect(me.headers['cache-control']).toBe('no-store');
      // The same route reached through an encoded path.
      const encoded = await api
        .http()
        .get('/v%31/me')
        .set(...bearer(user.accessToken));
      expect(encoded.status).toBe(200);
      expect(encoded.headers['cache-control']).toBe('no-store');
      const login = await api
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password });
      expect(login.headers['cache-control']).toBe('no-store');
      const refused = await api.http().get('/v1/me');
      expect(refused.status).toBe(401);
      expect(refused.headers['cache-control']).toBe('no-store');
      expect((await api.http().get('/')).headers['cache-control']).toBe('no-cache');
    });
  });

  describe('CORS', () => {
    it('answers a preflight from a listed origin, with credentials', async () => {
      const res = await api
        .http()
        .options('/v1/me')
        .set('Origin', SPA_ORIGIN)
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(SPA_ORIGIN);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    });

    it('gives no CORS headers to other origins', async () => {
      const res = await api.http().get('/v1/prices').set('Origin', 'https://evil.example');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await api
        .http()
        .options('/v1/me')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'GET');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('exposes the request id and rate-limit headers to a listed origin', async () => {
      const res = await api.http().get('/v1/prices').set('Origin', SPA_ORIGIN);
      expect(res.headers['access-control-allow-origin']).toBe(SPA_ORIGIN);
      expect(res.headers['access-control-expose-headers']).toMatch(/X-Request-Id/i);
    });
  });

  describe('refresh token in an httpOnly cookie', () => {
    async function cookieLogin(): Promise<{ access: string; cookie: string }> {
      const user = await newUser(api, 'cookie');
      const res = await api
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password, refreshTokenDelivery: 'cookie' });
      expect(res.status).toBe(200);
      const line = cookieOf(res.headers['set-cookie'], 'js_refresh');
      expect(line).toBeDefined();
      return { access: res.body.accessToken as string, cookie: cookieValue(line) };
    }

    it('sets an httpOnly, Secure, SameSite=Strict cookie for the auth routes only, and no token in the body', async () => {
      const user = await newUser(api, 'cookie');
      const res = await api
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password, refreshTokenDelivery: 'cookie' });
      expect(res.status).toBe(200);
      expect(res.body.refreshToken).toBeUndefined();
      expect(typeof res.body.accessToken).toBe('string');
      const line = cookieOf(res.headers['set-cookie'], 'js_refresh') ?? '';
      expect(line).toMatch(/HttpOnly/i);
      expect(line).toMatch(/Secure/i);
      expect(line).toMatch(/SameSite=Strict/i);
      expect(line).toMatch(/Path=\/v1\/auth(;|$)/);
      expect(line).toMatch(/Max-Age=\d+/);
    });

    it('leaves the body mode as it was: the token in the body, no cookie', async () => {
      const user = await newUser(api, 'body');
      const res = await api
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password });
      expect(res.status).toBe(200);
      expect(typeof res.body.refreshToken).toBe('string');
      expect(cookieOf(res.headers['set-cookie'], 'js_refresh')).toBeUndefined();
    });

    it('registers in cookie mode too', async () => {
      const res = await api
        .http()
        .post('/v1/auth/register')
        .send({
          email: `cookie-reg-${Date.now()}@example.com`,
          password: 'a long enough password',
          refreshTokenDelivery: 'cookie',
        });
      expect(res.status).toBe(201);
      expect(res.body.refreshToken).toBeUndefined();
      expect(cookieOf(res.headers['set-cookie'], 'js_refresh')).toMatch(/HttpOnly/i);
    });

    it('refreshes from the cookie with the CSRF header, rotating the cookie', async () => {
      const { cookie } = await cookieLogin();
      const res = await api
        .http()
        .post('/v1/auth/refresh')
        .set('Cookie', `js_refresh=${cookie}`)
        .set('X-CSRF-Protection', '1')
        .set('Origin', SPA_ORIGIN)
        .send({});
      expect(res.status).toBe(200);
      expect(res.body.refreshToken).toBeUndefined();
      const me = await api
        .http()
        .get('/v1/me')
        .set('Authorization', `Bearer ${res.body.accessToken}`);
      expect(me.status).toBe(200);
      const next = cookieValue(cookieOf(res.headers['set-cookie'], 'js_refresh'));
      expect(next).not.toBe('');
      expect(next).not.toBe(cookie);

      // The old cookie was single-use: presenting it again ends the session, and the cookie goes.
      const replay = await api
        .http()
        .post('/v1/auth/refresh')
        .set('Cookie', `js_refresh=${cookie}`)
        .set('X-CSRF-Protection', '1')
        .send({});
      expect(replay.status).toBe(401);
      expect(cookieOf(replay.headers['set-cookie'], 'js_refresh')).toMatch(
        /Expires=Thu, 01 Jan 1970|Max-Age=0/,
      );
      const after = await api
        .http()
        .post('/v1/auth/refresh')
        .set('Cookie', `js_refresh=${next}`)
        .set('X-CSRF-Protection', '1')
        .send({});
      expect(after.status).toBe(401);
    });

    it('refuses a sign-in a foreign page could make: a form body is 415, a cookie sign-in from a foreign origin 403, and neither sets the cookie', async () => {
      const user = await newUser(api, 'csrf');
      const form = new URLSearchParams({
        email: user.email,
        password: user.password,
        refreshTokenDelivery: 'cookie',
      }).toString();
      // What an auto-submitting <form> on another site sends (no CORS preflight for it).
      for (const path of ['/v1/auth/login', '/v1/auth/register']) {
        const res = await api
          .http()
          .post(path)
          .set('Origin', 'https://evil.example')
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .send(form);
        expect(res.status).toBe(415);
        expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
        expect(cookieOf(res.headers['set-cookie'], 'js_refresh')).toBeUndefined();
      }
      // A cookie sign-in from a foreign origin (JSON needs CORS, which it does not get; refused
      // anyway), and the same from our listed SPA origin.
      const json = { email: user.email, password: user.password, refreshTokenDelivery: 'cookie' };
      const foreign = await api
        .http()
        .post('/v1/auth/login')
        .set('Origin', 'https://evil.example')
        .send(json);
      expect(foreign.status).toBe(403);
      expect(cookieOf(foreign.headers['set-cookie'], 'js_refresh')).toBeUndefined();
      const registered = await api
        .http()
        .post('/v1/auth/register')
        .set('Origin', 'https://evil.example')
        .send({ ...json, email: `csrf-reg-${Date.now()}@example.com` });
      expect(registered.status).toBe(403);
      const own = await api.http().post('/v1/auth/login').set('Origin', SPA_ORIGIN).send(json);
      expect(own.status).toBe(200);
      expect(cookieOf(own.headers['set-cookie'], 'js_refresh')).toMatch(/HttpOnly/i);
      // A server (no Origin) may still take the token in the body.
      const server = await api
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password });
      expect(server.status).toBe(200);
    });

    it('still takes the one-click unsubscribe form mail clients post', async () => {
      const res = await api
        .http()
        .post('/v1/email/unsubscribe?token=not-a-real-token')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('List-Unsubscribe=One-Click');
      // Parsed and judged on its token, not refused for its content type.
      expect(res.status).not.toBe(415);
      expect(res.body.code).toBe('INVALID_TOKEN');
    });

    it('refuses a cookie refresh without the CSRF header, or from a foreign origin', async () => {
      const { cookie } = await cookieLogin();
      const bare = await api
        .http()
        .post('/v1/auth/refresh')
        .set('Cookie', `js_refresh=${cookie}`)
        .send({});
      expect(bare.status).toBe(403);
      expect(bare.body.code).toBe('FORBIDDEN');
      const foreign = await api
        .http()
        .post('/v1/auth/refresh')
        .set('Cookie', `js_refresh=${cookie}`)
        .set('X-CSRF-Protection', '1')
        .set('Origin', 'https://evil.example')
        .send({});
      expect(foreign.status).toBe(403);
      // Neither attempt used the token up.
      const ok = await api
        .http()
        .post('/v1/auth/refresh')
        .set('Cookie', `js_refresh=${cookie}`)
        .set('X-CSRF-Protection', '1')
        .send({});
      expect(ok.status).toBe(200);
    });

    it('asks for a token when there is neither a body token nor a cookie', async () => {
      const res = await api.http().post('/v1/auth/refresh').send({});
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'refreshToken' })]);
    });

    it('clears the cookie on sign-out, and the session it named is over', async () => {
      const { access, cookie } = await cookieLogin();
      const out = await api
        .http()
        .post('/v1/auth/logout')
        .set('Authorization', `Bearer ${access}`)
        .set('Cookie', `js_refresh=${cookie}`);
      expect(out.status).toBe(204);
      expect(cookieOf(out.headers['set-cookie'], 'js_refresh')).toMatch(
        /Expires=Thu, 01 Jan 1970|Max-Age=0/,
      );
      const refresh = await api
        .http()
        .post('/v1/auth/refresh')
        .set('Cookie', `js_refresh=${cookie}`)
        .set('X-CSRF-Protection', '1')
        .send({});
      expect(refresh.status).toBe(401);
    });
  });

  describe('without a built SPA or CORS origins (the defaults)', () => {
    let plain: TestApi;

    beforeAll(async () => {
      plain = await startApi({ WEB_DIST_DIR: join(dist, 'missing') });
    });

    afterAll(async () => {
      await plain.close();
    });

    it('answers / and deep links with the JSON 404, and sends no CORS headers', async () => {
      for (const path of ['/', '/jobs/1']) {
        const res = await plain
          .http()
          .get(path)
          .set('Accept', 'text/html')
          .set('Origin', SPA_ORIGIN);
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ statusCode: 404, code: 'RESOURCE_NOT_FOUND' });
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
    });

    it('answers OPTIONS and unusual methods on unknown paths with the JSON 404 and rate-limit headers', async () => {
      for (const method of ['options', 'propfind', 'trace']) {
        const agent = plain.http() as unknown as Record<string, (url: string) => Promise<Response>>;
        const call = agent[method];
        if (!call) throw new Error(`supertest has no ${method}`);
        const res = await call('/v1/nowhere');
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ statusCode: 404, code: 'RESOURCE_NOT_FOUND' });
        expect(res.headers['x-ratelimit-limit']).toBeDefined();
        expect(res.headers['x-request-id']).toBeDefined();
      }
    });
  });
});
