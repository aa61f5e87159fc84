import { startApi, type TestApi } from '../support/app';
import { bearer, newUser, uniqueEmail } from '../support/factories';

describe('identity and auth', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  it('registers, logs in and reads /v1/me', async () => {
    const email = uniqueEmail();
    const password = 'a-long-password-1';
    const registered = await api
      .http()
      .post('/v1/auth/register')
      .send({ email: `  ${email.toUpperCase()} `, password });
    expect(registered.status).toBe(201);
    expect(Object.keys(registered.body).sort()).toEqual(['accessToken', 'refreshToken', 'user']);
    expect(registered.body.user).toEqual({ id: expect.any(String), email, role: 'user' });

    const login = await api.http().post('/v1/auth/login').send({ email, password });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(registered.body.user.id);

    const me = await api
      .http()
      .get('/v1/me')
      .set(...bearer(login.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: registered.body.user.id,
      email,
      role: 'user',
      status: 'active',
    });
    expect(me.body.passwordHash).toBeUndefined();
  });

  it('refuses a second account for the same email, whatever its case', async () => {
    const user = await newUser(api);
    const res = await api
      .http()
      .post('/v1/auth/register')
      .send({ email: user.email.toUpperCase(), password: 'another-password' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CONFLICT');
  });

  it('gives one mailbox one account: other spellings are the same address, quoted forms are refused', async () => {
    const user = await newUser(api);
    const [local, domain] = user.email.split('@') as [string, string];
    const register = (email: string) =>
      api.http().post('/v1/auth/register').send({ email, password: 'another-password' });
    const fullWidth = [...local]
      .map((c) => (/[a-z]/.test(c) ? String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0) : c))
      .join('');
    for (const same of [`${fullWidth}@${domain}`, `${local}@${domain}\u200b`])
      expect({ same, status: (await register(same)).status }).toEqual({ same, status: 409 });
    for (const refused of [
      `"${local}"@${domain}`,
      `"a\r\nBcc: evil@example.com"@${domain}`,
      `\\${local}@${domain}`,
    ]) {
      const res = await register(refused);
      expect({ refused, status: res.status }).toEqual({ refused, status: 400 });
      expect(res.body.details).toEqual([
        {
          field: 'email',
          message: 'email must be a valid email address',
          constraint: expect.stringMatching(/^(isEmail|matches)$/),
        },
      ]);
    }
  });

  it('enforces the password length', async () => {
    const short = await api
      .http()
      .post('/v1/auth/register')
      .send({ email: uniqueEmail(), password: 'short' });
    expect(short.status).toBe(400);
    const long = await api
      .http()
      .post('/v1/auth/register')
      .send({ email: uniqueEmail(), password: 'x'.repeat(129) });
    expect(long.status).toBe(400);
    expect(long.body.details).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('gives a wrong password and an unknown email the same 401', async () => {
    const user = await newUser(api);
    const wrong = await api
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: 'not-the-password' });
    const unknown = await api
      .http()
      .post('/v1/auth/login')
      .send({ email: uniqueEmail(), password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
  });

  it('rotates refresh tokens and revokes the family when a rotated one is replayed', async () => {
    const user = await newUser(api);
    const first = await api
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect(first.body.accessToken).toEqual(expect.any(String));

    const second = await api
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: first.body.refreshToken });
    expect(second.status).toBe(200);

    // The first token was rotated already: presenting it again is a replay.
    const replay = await api
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('UNAUTHORIZED');

    // ... and the newest token of that family is dead too.
    const newest = await api
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: second.body.refreshToken });
    expect(newest.status).toBe(401);

    // A session of another login is untouched.
    const other = await api
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: user.password });
    const otherRefresh = await api
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: other.body.refreshToken });
    expect(otherRefresh.status).toBe(200);
  });

  it('refuses a forged refresh token', async () => {
    const user = await newUser(api);
    const [id] = user.refreshToken.split('.');
    const res = await api
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: `${id}.forged-secret` });
    expect(res.status).toBe(401);
  });

  it('takes a null refresh token for none: without the cookie, a 400 naming the field', async () => {
    const res = await api.http().post('/v1/auth/refresh').send({ refreshToken: null });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [expect.objectContaining({ field: 'refreshToken' })],
    });
  });

  it('logs out: the session access and refresh tokens stop working', async () => {
    const user = await newUser(api);
    const out = await api
      .http()
      .post('/v1/auth/logout')
      .set(...bearer(user.accessToken));
    expect(out.status).toBe(204);
    const me = await api
      .http()
      .get('/v1/me')
      .set(...bearer(user.accessToken));
    expect(me.status).toBe(401);
    const refresh = await api
      .http()
      .post('/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken });
    expect(refresh.status).toBe(401);
  });

  it('signs out everywhere: every session of the account ends, and no other account is touched', async () => {
    const user = await newUser(api);
    const bystander = await newUser(api);
    const other = await api
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: user.password });
    expect(other.status).toBe(200);
    const out = await api
      .http()
      .post('/v1/auth/logout-all')
      .set(...bearer(user.accessToken));
    expect(out.status).toBe(204);
    for (const token of [user.accessToken, other.body.accessToken as string]) {
      const me = await api
        .http()
        .get('/v1/me')
        .set(...bearer(token));
      expect(me.status).toBe(401);
    }
    for (const refreshToken of [user.refreshToken, other.body.refreshToken as string]) {
      const refresh = await api.http().post('/v1/auth/refresh').send({ refreshToken });
      expect(refresh.status).toBe(401);
    }
    const still = await api
      .http()
      .get('/v1/me')
      .set(...bearer(bystander.accessToken));
    expect(still.status).toBe(200);
    const anonymous = await api.http().post('/v1/auth/logout-all');
    expect(anonymous.status).toBe(401);
  });

  it('changes the password and ends the other sessions', async () => {
    const user = await newUser(api);
    const other = await api
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: user.password });
    const newPassword = 'a-brand-new-password';

    const wrong = await api
      .http()
      .post('/v1/me/password')
      .set(...bearer(user.accessToken))
      .send({ currentPassword: 'not-it-at-all', newPassword });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details).toEqual([expect.objectContaining({ field: 'currentPassword' })]);

    const changed = await api
      .http()
      .post('/v1/me/password')
      .set(...bearer(user.accessToken))
      .send({ currentPassword: user.password, newPassword });
    expect(changed.status).toBe(204);

    expect(
      (
        await api
          .http()
          .get('/v1/me')
          .set(...bearer(user.accessToken))
      ).status,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, api.config.USER_STATUS_CACHE_MS + 100));
    expect(
      (
        await api
          .http()
          .get('/v1/me')
          .set(...bearer(other.body.accessToken))
      ).status,
    ).toBe(401);
    expect(
      (await api.http().post('/v1/auth/refresh').send({ refreshToken: other.body.refreshToken }))
        .status,
    ).toBe(401);

    expect(
      (await api.http().post('/v1/auth/login').send({ email: user.email, password: user.password }))
        .status,
    ).toBe(401);
    expect(
      (await api.http().post('/v1/auth/login').send({ email: user.email, password: newPassword }))
        .status,
    ).toBe(200);
  });

  it('stores passwords as argon2id hashes only', async () => {
    const user = await newUser(api);
    const rows: Array<{ password_hash: string }> = await api.db.query(
      'SELECT password_hash FROM users WHERE id = $1',
      [user.id],
    );
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0]?.password_hash).not.toContain(user.password);
  });
});
