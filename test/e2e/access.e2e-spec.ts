import { AuthService } from '@jewelshot/identity';
import { startApi, type TestApi } from '../support/app';
import { bearer, newAdmin, newUser } from '../support/factories';

describe('authorisation', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  it('refuses an admin route without a token (401) and with a user token (403)', async () => {
    const anonymous = await api.http().get('/v1/admin/users');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHORIZED');

    const user = await newUser(api);
    const forbidden = await api
      .http()
      .get('/v1/admin/users')
      .set(...bearer(user.accessToken));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
  });

  it('lets an admin list users, cursor-paginated', async () => {
    const admin = await newAdmin(api);
    await newUser(api);
    await newUser(api);
    const first = await api
      .http()
      .get('/v1/admin/users?limit=2')
      .set(...bearer(admin.accessToken));
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api
      .http()
      .get(`/v1/admin/users?limit=2&cursor=${first.body.nextCursor}`)
      .set(...bearer(admin.accessToken));
    expect(second.status).toBe(200);
    const firstIds = first.body.data.map((u: { id: string }) => u.id);
    for (const row of second.body.data) expect(firstIds).not.toContain(row.id);
    const bad = await api
      .http()
      .get('/v1/admin/users?limit=500')
      .set(...bearer(admin.accessToken));
    expect(bad.status).toBe(400);
  });

  it('refuses a malformed or forged access token', async () => {
    const garbage = await api.http().get('/v1/me').set('Authorization', 'Bearer not.a.jwt');
    expect(garbage.status).toBe(401);
    const user = await newUser(api);
    const [header, payload] = user.accessToken.split('.');
    const forged = await api
      .http()
      .get('/v1/me')
      .set('Authorization', `Bearer ${header}.${payload}.AAAA`);
    expect(forged.status).toBe(401);
  });

  it('refuses a banned user within 5 seconds, even with a valid access token', async () => {
    const user = await newUser(api);
    expect(
      (
        await api
          .http()
          .get('/v1/me')
          .set(...bearer(user.accessToken))
      ).status,
    ).toBe(200);

    await api.db.query(`UPDATE users SET status = 'banned' WHERE id = $1`, [user.id]);
    const bannedAt = Date.now();

    let res = await api
      .http()
      .get('/v1/me')
      .set(...bearer(user.accessToken));
    while (res.status === 200 && Date.now() - bannedAt < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await api
        .http()
        .get('/v1/me')
        .set(...bearer(user.accessToken));
    }
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ACCOUNT_BANNED');
    expect(Date.now() - bannedAt).toBeLessThan(5000);

    const login = await api
      .http()
      .post('/v1/auth/login')
      .send({ email: user.email, password: user.password });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe('ACCOUNT_BANNED');
  });
});

describe('admin:create (AuthService.ensureAdmin)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  it('creates an admin, promotes an existing user, and changes nothing when run again', async () => {
    const auth = api.app.get(AuthService);
    const email = `Admin-${Date.now()}@Example.test`;
    const created = await auth.ensureAdmin(email, 'first-admin-password');
    expect(created).toMatchObject({
      created: true,
      user: { email: email.toLowerCase(), role: 'admin' },
    });
    const again = await auth.ensureAdmin(email, 'some-other-password');
    expect(again).toMatchObject({ created: false, user: { id: created.user.id, role: 'admin' } });
    // The password of an existing account is left alone.
    const login = await api
      .http()
      .post('/v1/auth/login')
      .send({ email, password: 'first-admin-password' });
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe('admin');

    const user = await newUser(api);
    const promoted = await auth.ensureAdmin(user.email, 'ignored-password');
    expect(promoted).toMatchObject({ created: false, user: { id: user.id, role: 'admin' } });
    const list = await api
      .http()
      .get('/v1/admin/users')
      .set(...bearer(user.accessToken));
    expect(list.status).toBe(200);
  });
});
