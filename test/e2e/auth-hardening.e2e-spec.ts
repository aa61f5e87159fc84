import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { submit } from '../support/ai';
import { startApi, type TestApi } from '../support/app';
import { bearer, newAdmin, newUser, uniqueEmail, type TestUser } from '../support/factories';
import { suitePrefix } from '../support/test-env';

describe('auth hardening', () => {
  let api: TestApi;
  let jwt: JwtService;

  beforeAll(async () => {
    // No worker runs: a submitted job stays queued, so its event stream stays open until closed.
    api = await startApi({
      REDIS_KEY_PREFIX: suitePrefix('auth-hardening'),
      USER_STATUS_CACHE_MS: '2000',
    });
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
      const token = jwt.sign(claims, {
        algorithm: 'HS256',
        expiresIn: api.config.JWT_ACCESS_TTL_SECONDS,
      });
      expect(
        (
          await api
            .http()
            .get('/v1/me')
            .set(...bearer(token))
        ).status,
      ).toBe(200);
    });

    it('refuses a correctly signed token without exp', async () => {
      const { claims } = await sessionClaims();
      const token = jwt.sign(claims, { algorithm: 'HS256' });
      const res = await api
        .http()
        .get('/v1/me')
        .set(...bearer(token));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    });

    it('refuses a correctly signed token whose exp is far in the future', async () => {
      const { claims } = await sessionClaims();
      const token = jwt.sign(claims, { algorithm: 'HS256', expiresIn: 10 * 365 * 86400 });
      expect(
        (
          await api
            .http()
            .get('/v1/me')
            .set(...bearer(token))
        ).status,
      ).toBe(401);
      // Also without iat, so the lifetime cannot be read from iat alone.
      const noIat = jwt.sign(
        { ...claims, exp: Math.floor(Date.now() / 1000) + 86400 * 30 },
        { algorithm: 'HS256', noTimestamp: true },
      );
      expect(
        (
          await api
            .http()
            .get('/v1/me')
            .set(...bearer(noIat))
        ).status,
      ).toBe(401);
    });

    it('refuses a token whose lifetime (exp - iat) exceeds the TTL even when exp is near', async () => {
      const { claims } = await sessionClaims();
      const now = Math.floor(Date.now() / 1000);
      const token = jwt.sign(
        { ...claims, iat: now - 100_000, exp: now + 60 },
        { algorithm: 'HS256' },
      );
      expect(
        (
          await api
            .http()
            .get('/v1/me')
            .set(...bearer(token))
        ).status,
      ).toBe(401);
    });
  });

  describe('common passwords', () => {
    it('refuses a common password at registration with a clear validation message', async () => {
      const res = await api
        .http()
        .post('/v1/auth/register')
        .send({ email: uniqueEmail(), password: 'Password123' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(res.body.details).toEqual([
        {
          field: 'password',
          message: expect.stringContaining('most commonly used passwords'),
          constraint: 'isNotCommonPassword',
        },
      ]);
      expect(
        (
          await api
            .http()
            .post('/v1/auth/register')
            .send({ email: uniqueEmail(), password: 'qwertyuiop' })
        ).status,
      ).toBe(400);
    });

    it('refuses a common password as the new password and keeps the old one', async () => {
      const user = await newUser(api);
      const res = await api
        .http()
        .post('/v1/me/password')
        .set(...bearer(user.accessToken))
        .send({ currentPassword: user.password, newPassword: '1234567890' });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([
        {
          field: 'newPassword',
          message: expect.stringContaining('most commonly used'),
          constraint: 'isNotCommonPassword',
        },
      ]);
      const login = await api
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password });
      expect(login.status).toBe(200);
    });

    it('accepts an uncommon password of the same length', async () => {
      const res = await api
        .http()
        .post('/v1/auth/register')
        .send({ email: uniqueEmail(), password: `tide-${randomUUID().slice(0, 8)}` });
      expect(res.status).toBe(201);
    });
  });

  describe('event streams end with the session', () => {
    let base = '';

    beforeAll(async () => {
      await api.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    });

    /** Opens the job's event stream and resolves, with what it received, when the server ends it. */
    async function openStream(
      user: TestUser,
      watcher: TestUser = user,
    ): Promise<{ ended: Promise<{ text: string; at: number }>; jobId: string }> {
      const { body: job } = await submit(api, user, {
        operation: 'generate',
        params: { prompt: 'watched ring' },
      });
      expect(job.status).toBe('queued');
      const controller = new AbortController();
      const res = await fetch(`${base}/v1/ai/jobs/${job.id}/events`, {
        headers: { authorization: `Bearer ${watcher.accessToken}` },
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body?.getReader();
      if (!reader) throw new Error('no stream body');
      const ended = (async () => {
        let text = '';
        const safety = setTimeout(() => controller.abort(), 15_000);
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            text += Buffer.from(value).toString();
          }
        } catch {
          text += '[aborted by the test]';
        } finally {
          clearTimeout(safety);
        }
        return { text, at: Date.now() };
      })();
      // The first event (the job as it is) arrives before anything else happens.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { ended, jobId: job.id as string };
    }

    // The bound the issue asks for, measured on the client, with slack for a loaded machine.
    // The stream re-checks its session at least every USER_STATUS_CACHE_MS; the bound leaves a
    // loaded machine room (an unchecked stream would stay open for its full 30 minutes).
    const bound = () => api.config.USER_STATUS_CACHE_MS + 8000;

    it('closes on logout', async () => {
      const user = await newUser(api);
      const { ended } = await openStream(user);
      const at = Date.now();
      expect(
        (
          await api
            .http()
            .post('/v1/auth/logout')
            .set(...bearer(user.accessToken))
        ).status,
      ).toBe(204);
      const result = await ended;
      expect(result.text).toContain('event: end');
      expect(result.at - at).toBeLessThan(bound());
    });

    it('closes on a ban, even one written by another process straight to the database', async () => {
      const user = await newUser(api);
      const { ended } = await openStream(user);
      const at = Date.now();
      await api.app
        .get(DataSource)
        .query(`UPDATE users SET status = 'banned' WHERE id = $1`, [user.id]);
      const result = await ended;
      expect(result.text).toContain('event: end');
      expect(result.at - at).toBeLessThan(bound());
    });

    it("stops showing another user's job to an admin demoted while watching it", async () => {
      const seller = await newUser(api);
      const admin = await newAdmin(api);
      const { ended, jobId } = await openStream(seller, admin);
      const at = Date.now();
      await api.app
        .get(DataSource)
        .query(`UPDATE users SET role = 'user' WHERE id = $1`, [admin.id]);
      const result = await ended;
      expect(result.text).not.toContain('[aborted by the test]');
      expect(result.at - at).toBeLessThan(bound());
      // Still signed in (no end event for the session): the job is just not theirs to see.
      expect(result.text).not.toContain('event: end');
      // And once the status cache has let go of the old role, not found at all.
      let status = 0;
      for (const until = Date.now() + bound(); Date.now() < until;) {
        status = (
          await api
            .http()
            .get(`/v1/ai/jobs/${jobId}`)
            .set(...bearer(admin.accessToken))
        ).status;
        if (status === 404) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(404);
    });

    it('closes on a password change made from another session', async () => {
      const user = await newUser(api);
      const { ended } = await openStream(user);
      const other = await api
        .http()
        .post('/v1/auth/login')
        .send({ email: user.email, password: user.password });
      const at = Date.now();
      const changed = await api
        .http()
        .post('/v1/me/password')
        .set(...bearer(other.body.accessToken))
        .send({ currentPassword: user.password, newPassword: `new-${randomUUID()}` });
      expect(changed.status).toBe(204);
      const result = await ended;
      expect(result.text).toContain('event: end');
      expect(result.at - at).toBeLessThan(bound());
    });
  });
});
