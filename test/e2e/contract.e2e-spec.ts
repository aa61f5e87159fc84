import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { OPENAPI_FILE } from '../../scripts/openapi';
import { startApi, type TestApi } from '../support/app';
import { bearer, newUser, type TestUser } from '../support/factories';

/** The committed document: what the server answers must be listed there. */
const document = parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
};

/** The codes the document lists for an operation's status. */
function documented(method: string, route: string, status: number): string[] {
  const response = document.paths[route]?.[method]?.responses[String(status)];
  return response ? response.description.split(' | ') : [];
}

describe('the server answers as its OpenAPI document says', () => {
  let api: TestApi;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi();
    user = await newUser(api, 'contract');
  });

  afterAll(async () => {
    await api.close();
  });

  const expectError = (
    res: { status: number; body: { code?: string; statusCode?: number } },
    status: number,
    code: string,
    method: string,
    route: string,
  ) => {
    expect({ status: res.status, code: res.body.code, statusCode: res.body.statusCode }).toEqual({
      status,
      code,
      statusCode: status,
    });
    expect(documented(method, route, status)).toContain(code);
  };

  describe('an operation without a request body ignores a JSON one and refuses any other (415)', () => {
    const cancel = () => `/v1/ai/jobs/${randomUUID()}/cancel`;

    it('an XML body', async () => {
      const res = await api
        .http()
        .post(cancel())
        .set(...bearer(user.accessToken))
        .set('content-type', 'application/xml')
        .send('<cancel/>');
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'post', '/v1/ai/jobs/{id}/cancel');
    });

    it('`{}`, as clients that always send a body do, is ignored', async () => {
      const res = await api
        .http()
        .post(cancel())
        .set(...bearer(user.accessToken))
        .send({});
      expectError(res, 404, 'RESOURCE_NOT_FOUND', 'post', '/v1/ai/jobs/{id}/cancel');
      const other = await newUser(api, 'logout-json');
      const out = await api
        .http()
        .post('/v1/auth/logout')
        .set(...bearer(other.accessToken))
        .send({ any: 'thing' });
      expect(out.status).toBe(204);
    });

    it('a JSON body is still held to the limits every body has (413, 400), as documented', async () => {
      const big = await api
        .http()
        .post(cancel())
        .set(...bearer(user.accessToken))
        .set('content-type', 'application/json')
        .send(`{"pad":"${'x'.repeat(3 * 1024 * 1024)}"}`);
      expectError(big, 413, 'PAYLOAD_TOO_LARGE', 'post', '/v1/ai/jobs/{id}/cancel');
      const other = await newUser(api, 'logout');
      const malformed = await api
        .http()
        .post('/v1/auth/logout')
        .set(...bearer(other.accessToken))
        .set('content-type', 'application/json')
        .send('{"oops":');
      expectError(malformed, 400, 'VALIDATION_ERROR', 'post', '/v1/auth/logout');
    });

    it('but a Content-Type without a body is no body at all', async () => {
      const res = await api
        .http()
        .post(cancel())
        .set(...bearer(user.accessToken))
        .set('content-type', 'application/json');
      expectError(res, 404, 'RESOURCE_NOT_FOUND', 'post', '/v1/ai/jobs/{id}/cancel');
      const other = await newUser(api, 'logout');
      const out = await api
        .http()
        .post('/v1/auth/logout')
        .set(...bearer(other.accessToken))
        .set('content-type', 'application/json');
      expect(out.status).toBe(204);
    });
  });

  describe('a JSON operation takes application/json only (415 for anything else)', () => {
    const email = 'nobody@example.test';

    it.each([
      ['text/plain', `email=${email}`],
      [
        'multipart/form-data; boundary=x',
        `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n${email}\r\n--x--\r\n`,
      ],
      ['application/x-www-form-urlencoded', `email=${email}`],
      ['application/xml', `<email>${email}</email>`],
    ])('%s', async (type, body) => {
      const res = await api
        .http()
        .post('/v1/auth/password-reset')
        .set('content-type', type)
        .send(body);
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'post', '/v1/auth/password-reset');
    });

    it('a body without a Content-Type', async () => {
      const res = await api
        .http()
        .post('/v1/auth/password-reset')
        .set('content-length', '5')
        .send(Buffer.from('hello'))
        .unset('content-type');
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'post', '/v1/auth/password-reset');
    });

    it('while JSON (with a charset) still works', async () => {
      const res = await api
        .http()
        .post('/v1/auth/password-reset')
        .set('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ email }));
      expect(res.status).toBe(202);
    });

    it('the upload takes multipart only', async () => {
      const res = await api
        .http()
        .post('/v1/uploads')
        .set(...bearer(user.accessToken))
        .send({ file: 'not an image' });
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'post', '/v1/uploads');
    });

    it('the one-click unsubscribe takes its form (RFC 8058), in either encoding, and not JSON', async () => {
      const route = '/v1/email/unsubscribe';
      const form = await api
        .http()
        .post(`${route}?token=not-a-token`)
        .set('content-type', 'application/x-www-form-urlencoded')
        .send('List-Unsubscribe=One-Click');
      expectError(form, 400, 'INVALID_TOKEN', 'post', route);
      const multipart = await api
        .http()
        .post(`${route}?token=not-a-token`)
        .field('List-Unsubscribe', 'One-Click');
      expectError(multipart, 400, 'INVALID_TOKEN', 'post', route);
      const json = await api
        .http()
        .post(`${route}?token=not-a-token`)
        .send({ 'List-Unsubscribe': 'One-Click' });
      expectError(json, 415, 'UNSUPPORTED_MEDIA_TYPE', 'post', route);
    });
  });

  describe('an operation takes the query parameters it lists, and no other (400)', () => {
    const get = (path: string) =>
      api
        .http()
        .get(path)
        .set(...bearer(user.accessToken));

    it('a list without paging: `limit` is refused, not ignored as if the list had been cut', async () => {
      for (const route of ['/v1/webhooks', '/v1/api-keys', '/v1/credits/prices']) {
        const res = await get(`${route}?limit=10`);
        expectError(res, 400, 'VALIDATION_ERROR', 'get', route);
        expect(res.body.details).toEqual([
          {
            field: 'limit',
            message: 'property limit should not exist',
            constraint: 'whitelistValidation',
          },
        ]);
        expect((await get(route)).status).toBe(200);
      }
    });

    it('a misspelt filter is refused, the listed ones taken', async () => {
      const misspelt = await get('/v1/ai/jobs?stauts=failed&limit=5');
      expectError(misspelt, 400, 'VALIDATION_ERROR', 'get', '/v1/ai/jobs');
      expect(misspelt.body.details).toEqual([
        expect.objectContaining({ field: 'stauts', constraint: 'whitelistValidation' }),
      ]);
      expect((await get('/v1/ai/jobs?status=failed&limit=5')).status).toBe(200);
    });

    it("a HEAD is held to its GET's parameters; the probes and the scrape take any", async () => {
      const head = await api
        .http()
        .head('/v1/webhooks?limit=10')
        .set(...bearer(user.accessToken));
      expect(head.status).toBe(400);
      // (Whether the whole system is healthy is another matter: no worker runs here.)
      expect((await api.http().get('/health/live?nocache=1')).status).toBe(200);
      for (const probe of ['/health/ready?nocache=1', '/health?x=1', '/metrics?module=api'])
        expect((await api.http().get(probe)).status).not.toBe(400);
    });

    it('an operation with a path parameter, and at most 20 unknown names said', async () => {
      const names = Array.from({ length: 30 }, (_, i) => `p${i}=1`).join('&');
      const res = await get(`/v1/ai/jobs/${randomUUID()}?${names}`);
      expectError(res, 400, 'VALIDATION_ERROR', 'get', '/v1/ai/jobs/{id}');
      expect(res.body.details).toHaveLength(20);
    });
  });

  it('a path too long for the HTTP parser is 431, as documented', async () => {
    const res = await api
      .http()
      .get(`/v1/ai/jobs/${'a'.repeat(20_000)}`)
      .set(...bearer(user.accessToken));
    expectError(res, 431, 'VALIDATION_ERROR', 'get', '/v1/ai/jobs/{id}');
    // Answered before any hook, it still carries the security headers every answer has.
    expect(res.headers).toMatchObject({
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      // As on every answer: the body's request id in the header too.
      'x-request-id': res.body.requestId,
    });
  });

  it("a banned user's token is 403 ACCOUNT_BANNED, as documented on an operation with its own 403", async () => {
    const banned = await newUser(api, 'banned');
    await api.db.query(`UPDATE users SET status = 'banned' WHERE id = $1`, [banned.id]);
    const until = Date.now() + 5000;
    let res = await api
      .http()
      .get('/v1/api-keys')
      .set(...bearer(banned.accessToken));
    // The caller's status is cached for a moment.
    while (res.status === 200 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await api
        .http()
        .get('/v1/api-keys')
        .set(...bearer(banned.accessToken));
    }
    expectError(res, 403, 'ACCOUNT_BANNED', 'get', '/v1/api-keys');
  });
});
