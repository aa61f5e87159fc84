import { startApi, type TestApi } from '../support/app';
import { bearer, newUser, uniqueEmail } from '../support/factories';

describe('one error shape on every layer', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi({ BODY_LIMIT_BYTES: '2048' });
  });

  afterAll(async () => {
    await api.close();
  });

  it('answers an unknown route with 404 and exactly statusCode, code, error, requestId', async () => {
    const res = await api.http().get('/v1/does-not-exist');
    expect(res.status).toBe(404);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'error', 'requestId', 'statusCode']);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'RESOURCE_NOT_FOUND' });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
    // Unknown routes are rate-limited like any other.
    expect(res.headers['x-ratelimit-limit']).toBeDefined();
    expect((await api.http().delete('/v1/me').set('authorization', 'Bearer x')).status).toBe(404);
    expect((await api.http().get('/nothing/here/at/all')).status).toBe(404);
  });

  it('names every invalid field of a registration', async () => {
    const res = await api.http().post('/v1/auth/register').send({ email: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    const fields = (res.body.details as Array<{ field: string; message: string }>).map(
      (d) => d.field,
    );
    expect(fields).toEqual(expect.arrayContaining(['email', 'password']));
    for (const detail of res.body.details) expect(typeof detail.message).toBe('string');
  });

  it('refuses an unknown field', async () => {
    const res = await api
      .http()
      .post('/v1/auth/register')
      .send({ email: uniqueEmail(), password: 'long-enough-password', isAdmin: true });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'isAdmin' })]);
  });

  it('names the check each field failed, with its bound, for a client to word', async () => {
    const register = (body: object) => api.http().post('/v1/auth/register').send(body);
    // Missing, malformed and unknown: class-validator's names (isDefined for a missing value).
    const missing = await register({ email: 'x', role: 'admin' });
    expect(missing.body.details).toEqual([
      {
        field: 'role',
        message: 'property role should not exist',
        constraint: 'whitelistValidation',
      },
    ]);
    const malformed = await register({ email: 'x' });
    expect(malformed.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'email',
          constraint: expect.stringMatching(/^(isEmail|matches)$/),
        }),
        { field: 'password', message: 'password is required', constraint: 'isDefined' },
      ]),
    );
    // A length range names the side broken and its bound; the message stays as it was.
    expect((await register({ email: uniqueEmail(), password: 'short' })).body.details).toEqual([
      {
        field: 'password',
        message: 'password must be 10 to 128 characters',
        constraint: 'minLength',
        min: 10,
      },
    ]);
    expect(
      (await register({ email: uniqueEmail(), password: 'x'.repeat(129) })).body.details,
    ).toEqual([expect.objectContaining({ field: 'password', constraint: 'maxLength', max: 128 })]);
    const empty = await api
      .http()
      .post('/v1/auth/login')
      .send({ email: uniqueEmail(), password: '' });
    expect(empty.body.details).toEqual([
      {
        field: 'password',
        message: 'password must be longer than or equal to 1 characters',
        constraint: 'minLength',
        min: 1,
      },
    ]);
    // Our own checks have stable names too.
    expect(
      (await register({ email: uniqueEmail(), password: 'Password123' })).body.details,
    ).toEqual([expect.objectContaining({ field: 'password', constraint: 'isNotCommonPassword' })]);
    const user = await newUser(api);
    const wrong = await api
      .http()
      .post('/v1/me/password')
      .set(...bearer(user.accessToken))
      .send({ currentPassword: 'not-it-at-all', newPassword: 'a-brand-new-password' });
    expect(wrong.body.details).toEqual([
      {
        field: 'currentPassword',
        message: 'currentPassword is not correct',
        constraint: 'isCurrentPassword',
      },
    ]);
    const url = await api
      .http()
      .post('/v1/webhooks')
      .set(...bearer(user.accessToken))
      .send({ url: 'not a url', events: ['job.succeeded'] });
    expect(url.body.details).toEqual([
      expect.objectContaining({ field: 'url', constraint: 'isUrl' }),
    ]);
    // A number that is none (a query's `abc`) is not "over the bound".
    const limit = await api
      .http()
      .get('/v1/ai/jobs?limit=abc')
      .set(...bearer(user.accessToken));
    expect(limit.body.details).toEqual([
      { field: 'limit', message: 'limit must be a number', constraint: 'isNumber' },
    ]);
    // Checks the services make by hand name theirs too.
    const operation = await api
      .http()
      .post('/v1/ai/jobs')
      .set(...bearer(user.accessToken))
      .send({ operation: 'teleport', params: {} });
    expect(operation.body.details).toEqual([
      expect.objectContaining({ field: 'operation', constraint: 'isIn' }),
    ]);
    const expired = await api
      .http()
      .post('/v1/api-keys')
      .set(...bearer(user.accessToken))
      .send({ name: 'old', scopes: ['jobs:read'], expiresAt: '2020-01-01T00:00:00.000Z' });
    expect(expired.body.details).toEqual([
      expect.objectContaining({ field: 'expiresAt', constraint: 'minDate' }),
    ]);
    const noFile = await api
      .http()
      .post('/v1/uploads')
      .set(...bearer(user.accessToken))
      .attach('other', Buffer.from('x'), 'x.png');
    expect(noFile.body.details).toEqual([
      expect.objectContaining({ field: 'file', constraint: 'isDefined' }),
    ]);
  });

  it('says which conflict a CONFLICT is', async () => {
    const user = await newUser(api);
    const taken = await api
      .http()
      .post('/v1/auth/register')
      .send({ email: user.email, password: 'another-long-password' });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({
      code: 'CONFLICT',
      error: 'An account with this email already exists',
      details: { reason: 'EMAIL_TAKEN' },
    });
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await api
      .http()
      .post('/v1/auth/login')
      .set('content-type', 'application/json')
      .send('{"email": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
    expect(res.body.requestId).toEqual(expect.any(String));
  });

  it('answers a body over the limit with 413', async () => {
    const res = await api
      .http()
      .post('/v1/auth/register')
      .send({ email: uniqueEmail(), password: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await api.http().post('/v1/auth/login').set('content-type', 'text/csv').send('a,b');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('echoes a sane client request id and replaces an unsafe one', async () => {
    const sane = await api.http().get('/health/live').set('x-request-id', 'client-req-12345');
    expect(sane.headers['x-request-id']).toBe('client-req-12345');
    const unsafe = await api.http().get('/v1/nope').set('x-request-id', 'bad id <script>');
    expect(unsafe.headers['x-request-id']).not.toContain(' ');
    expect(unsafe.body.requestId).toBe(unsafe.headers['x-request-id']);
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts rate-limit headers on API responses', async () => {
    const res = await api
      .http()
      .post('/v1/auth/login')
      .send({ email: uniqueEmail(), password: 'whatever-password' });
    expect(res.status).toBe(401);
    expect(res.headers['x-ratelimit-limit']).toBeDefined();
    expect(res.headers['x-ratelimit-remaining']).toBeDefined();
    expect(res.headers['x-ratelimit-reset']).toBeDefined();
  });

  it('names the scheme on every 401: no token, a bad token, a bad API key, bad credentials', async () => {
    const answers = [
      await api.http().get('/v1/me'),
      await api.http().get('/v1/me').set('authorization', 'Bearer not-a-token'),
      await api
        .http()
        .get('/v1/ai/jobs')
        .set('authorization', 'Bearer js_live_abcdefgh_0123456789abcdef0123456789abcdef'),
      await api
        .http()
        .post('/v1/auth/login')
        .send({ email: uniqueEmail(), password: 'whatever-password' }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="jewelshot"');
    }
    // Not on other errors.
    expect((await api.http().get('/v1/nope')).headers['www-authenticate']).toBeUndefined();
  });
});
