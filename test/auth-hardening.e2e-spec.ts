import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { startApi, type TestApi } from './support/app';
import { bearer, newUser, uniqueEmail } from './support/factories';

describe('auth hardening', () => {
  let api: TestApi;
  let jwt: JwtService;

  beforeAll(async () => {
    api = await startApi();
    jwt = new JwtService({ secret: api.config.JWT_SECRET });
  });

  afterAll(async () => {
    await api.close();
  });

  describe('access token lifetime', () => {
    /** A real user's real session, so only the token's own claims can be the reason for a 401. */
    async function sessionClaims() {
      const user = await newUser(api);
      const decoded = jwt.decode<{ sub: string; sid: string; role: string }>(user.accessToken);
      return { user, claims: { sub: decoded.sub, sid: decoded.sid, role: decoded.role } };
    }

    it('accepts a token signed like ours with exp within JWT_ACCESS_TTL_SECONDS', async () => {
      const { claims } = await sessionClaims();
      const token = jwt.sign(claims, { algorithm: 'HS256', expiresIn: api.config.JWT_ACCESS_TTL_SECONDS });
      expect((await api.http().get('/v1/me').set(...bearer(token))).status).toBe(200);
    });

    it('refuses a correctly signed token without exp', async () => {
      const { claims } = await sessionClaims();
      const token = jwt.sign(claims, { algorithm: 'HS256' });
      const res = await api.http().get('/v1/me').set(...bearer(token));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    });

    it('refuses a correctly signed token whose exp is far in the future', async () => {
      const { claims } = await sessionClaims();
      const token = jwt.sign(claims, { algorithm: 'HS256', expiresIn: 10 * 365 * 86400 });
      expect((await api.http().get('/v1/me').set(...bearer(token))).status).toBe(401);
      // Also without iat, so the lifetime cannot be read from iat alone.
      const noIat = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) + 86400 * 30 }, { algorithm: 'HS256', noTimestamp: true });
      expect((await api.http().get('/v1/me').set(...bearer(noIat))).status).toBe(401);
    });

    it('refuses a token whose lifetime (exp - iat) exceeds the TTL even when exp is near', async () => {
      const { claims } = await sessionClaims();
      const now = Math.floor(Date.now() / 1000);
      const token = jwt.sign({ ...claims, iat: now - 100_000, exp: now + 60 }, { algorithm: 'HS256' });
      expect((await api.http().get('/v1/me').set(...bearer(token))).status).toBe(401);
    });
  });

  describe('common passwords', () => {
    it('refuses a common password at registration with a clear validation message', async () => {
      const res = await api.http().post('/v1/auth/register').send({ email: uniqueEmail(), password: 'Password123' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(res.body.details).toEqual([
        { field: 'password', message: expect.stringContaining('most commonly used passwords') },
      ]);
      expect((await api.http().post('/v1/auth/register').send({ email: uniqueEmail(), password: 'qwertyuiop' })).status).toBe(400);
    });

    it('refuses a common password as the new password and keeps the old one', async () => {
      const user = await newUser(api);
      const res = await api
        .http()
        .post('/v1/me/password')
        .set(...bearer(user.accessToken))
        .send({ currentPassword: user.password, newPassword: '1234567890' });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'newPassword', message: expect.stringContaining('most commonly used') }]);
      const login = await api.http().post('/v1/auth/login').send({ email: user.email, password: user.password });
      expect(login.status).toBe(200);
    });

    it('accepts an uncommon password of the same length', async () => {
      const res = await api.http().post('/v1/auth/register').send({ email: uniqueEmail(), password: `tide-${randomUUID().slice(0, 8)}` });
      expect(res.status).toBe(201);
    });
  });
});
