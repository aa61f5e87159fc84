import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { fund, upload, waitTerminal } from '../support/ai';
import { smallPng } from '../support/images';
import { bearer, newAdmin, newUser, type TestUser } from '../support/factories';
import { freePort } from '../support/free-port';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  scopes: string[];
}

describe('API keys', () => {
  let api: TestApi;
  let env: NodeJS.ProcessEnv;
  let worker: WorkerApp | undefined;
  let second: WorkerProcess | undefined;
  let secondHttp: () => ReturnType<typeof request>;
  let secondBase: string;

  beforeAll(async () => {
    env = { REDIS_KEY_PREFIX: suitePrefix('api-keys'), SIGNUP_CREDITS: '0' };
    api = await startApi(env);
    const port = await freePort();
    second = await startWorkerProcess(
      { ...env, PORT: String(port), LOG_LEVEL: 'warn' },
      join('test', 'support', 'api-process-main.ts'),
    );
    secondBase = `http://127.0.0.1:${port}`;
    secondHttp = () => request(secondBase);
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await second?.stop();
    await api.close();
  });

  const createKey = async (
    user: TestUser,
    scopes: string[],
    extra: Record<string, unknown> = {},
  ): Promise<CreatedKey> => {
    const res = await api
      .http()
      .post('/v1/api-keys')
      .set(...bearer(user.accessToken))
      .send({ name: 'integration', scopes, ...extra });
    expect(res.status).toBe(201);
    return res.body as CreatedKey;
  };
  const asKey = (key: string): [string, string] => ['Authorization', `Bearer ${key}`];

  it('answers a name the validator counts within 100 characters and PostgreSQL does not with a 400, not a 500', async () => {
    const user = await newUser(api, 'hearts');
    const res = await api
      .http()
      .post('/v1/api-keys')
      .set(...bearer(user.accessToken))
      .send({ name: '\u2764\ufe0f'.repeat(100), scopes: ['jobs:read'] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('refuses a key name that says nothing or holds control or bidirectional characters (it goes into the creation email)', async () => {
    const user = await newUser(api, 'key-names');
    const create = (name: string) =>
      api
        .http()
        .post('/v1/api-keys')
        .set(...bearer(user.accessToken))
        .send({ name, scopes: ['jobs:read'] });
    for (const name of ['   ', '\u202e\u200b', '\u001b[31mred', 'tab\there', 'shop\u202eevil']) {
      const res = await create(name);
      expect({ name, status: res.status, constraint: res.body.details?.[0]?.constraint }).toEqual({
        name,
        status: 400,
        constraint: 'matches',
      });
    }
    expect((await create('Shopify sync — mağaza 💍')).status).toBe(201);
  });

  it('keeps at most 50 live keys per user: the 51st is a 409 with the limit, and a revoked one frees a place', async () => {
    const user = await newUser(api, 'many-keys');
    const created: CreatedKey[] = [];
    for (let i = 0; i < 50; i += 1) created.push(await createKey(user, ['jobs:read']));
    const over = await api
      .http()
      .post('/v1/api-keys')
      .set(...bearer(user.accessToken))
      .send({ name: 'one too many', scopes: ['jobs:read'] });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: 'CONFLICT', details: { limit: 50 } });
    const revoked = await api
      .http()
      .delete(`/v1/api-keys/${created[0]?.id}`)
      .set(...bearer(user.accessToken));
    expect(revoked.status).toBe(204);
    await createKey(user, ['jobs:read']);
  }, 60_000);

  // First, while no worker runs: the job stays queued and its stream stays open.
  it("ends a key's event stream on another API process soon after the key is revoked", async () => {
    const user = await newUser(api, 'stream');
    await fund(api, user, 2);
    const created = await createKey(user, ['jobs:read', 'jobs:write']);
    const job = await api
      .http()
      .post('/v1/ai/jobs')
      .set(...asKey(created.key))
      .send({ operation: 'generate', params: { prompt: 'watched ring' } });
    expect(job.status).toBe(202);
    const controller = new AbortController();
    const safety = setTimeout(() => controller.abort(), 20_000);
    const res = await fetch(`${secondBase}/v1/ai/jobs/${job.body.id}/events`, {
      headers: { authorization: `Bearer ${created.key}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no stream body');
    const ended = (async () => {
      let text = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += Buffer.from(value).toString();
        }
      } catch {
        text += '[aborted by the test]';
      }
      return { text, at: Date.now() };
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const at = Date.now();
    const revoked = await api
      .http()
      .delete(`/v1/api-keys/${created.id}`)
      .set(...bearer(user.accessToken));
    expect(revoked.status).toBe(204);
    const result = await ended;
    clearTimeout(safety);
    expect(result.text).toContain('event: status');
    expect(result.text).toContain('event: end');
    // The bound of the session streams (auth-hardening), with slack for a loaded machine.
    expect(result.at - at).toBeLessThan(api.config.USER_STATUS_CACHE_MS + 8000);
  }, 60_000);

  it('shows the key once, lists it without its secret, stores only a hash, audits and mails the creation', async () => {
    const user = await newUser(api, 'keys');
    const created = await createKey(user, ['jobs:read', 'jobs:write']);
    expect(created.key).toMatch(/^js_live_[0-9a-f]{24}_[0-9a-f]{64}$/);
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
    expect(created.scopes).toEqual(['jobs:read', 'jobs:write']);

    const list = await api
      .http()
      .get('/v1/api-keys')
      .set(...bearer(user.accessToken));
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      expect.objectContaining({ id: created.id, prefix: created.prefix, lastUsedAt: null }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(created.key.slice(-64));

    const [row] = await api.db.query('SELECT secret_hash FROM api_keys WHERE id = $1', [
      created.id,
    ]);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(created.key).not.toContain(row.secret_hash);

    const audit = await api.db.query(
      `SELECT action, actor_id FROM audit_events WHERE target_id = $1 ORDER BY seq`,
      [created.id],
    );
    expect(audit).toEqual([{ action: 'api_key.created', actor_id: user.id }]);
    const mails = await api.db.query(
      `SELECT to_address FROM email_messages WHERE user_id = $1 AND template = 'api-key-created'`,
      [user.id],
    );
    expect(mails).toEqual([{ to_address: user.email }]);
  });

  it('a jobs:write key submits a job that runs and is paid for; without credits:read the balance is 403 INSUFFICIENT_SCOPE', async () => {
    const user = await newUser(api, 'payer');
    await fund(api, user, 5);
    const { key } = await createKey(user, ['jobs:read', 'jobs:write']);
    const submitted = await api
      .http()
      .post('/v1/ai/jobs')
      .set(...asKey(key))
      .send({ operation: 'generate', params: { prompt: 'a ring on slate', numImages: 2 } });
    expect(submitted.status).toBe(202);
    worker = await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
    const [row] = await waitTerminal(api, [submitted.body.id]);
    expect(row).toMatchObject({ status: 'succeeded', hold_status: 'posted', cost: 2 });
    const job = await api
      .http()
      .get(`/v1/ai/jobs/${submitted.body.id}`)
      .set(...asKey(key));
    expect(job.status).toBe(200);
    expect(job.body.outputs).toHaveLength(2);

    const balance = await api
      .http()
      .get('/v1/credits/balance')
      .set(...asKey(key));
    expect(balance.status).toBe(403);
    expect(balance.body).toMatchObject({
      code: 'INSUFFICIENT_SCOPE',
      details: { scope: 'credits:read' },
    });
    // The session sees the charge the key made.
    const mine = await api
      .http()
      .get('/v1/credits/balance')
      .set(...bearer(user.accessToken));
    expect(mine.body).toMatchObject({ balance: 3, reserved: 0, available: 3 });
    const [used] = await api.db.query('SELECT last_used_at FROM api_keys WHERE user_id = $1', [
      user.id,
    ]);
    expect(used.last_used_at).toBeInstanceOf(Date);
  }, 90_000);

  it("answers a batch's write (a replayed create, a cancel) without its items' outputs to a key that may not read jobs", async () => {
    const user = await newUser(api, 'batch-writer');
    await fund(api, user, 5);
    const image = await upload(api, user, await smallPng(32, 32));
    expect(image.status).toBe(201);
    const writer = await createKey(user, ['jobs:write']);
    const both = await createKey(user, ['jobs:read', 'jobs:write']);
    const body = {
      name: 'catalogue',
      operation: 'remove-background',
      params: {},
      inputImageIds: [image.body.id],
    };
    const post = (credential: [string, string]) =>
      api
        .http()
        .post('/v1/batches')
        .set(...credential)
        .set('Idempotency-Key', 'batch-outputs-1')
        .send(body);
    const created = await post(asKey(writer.key));
    expect(created.status).toBe(201);
    worker ??= await createWorker(loadConfig({ ...baseTestEnv(), ...env }));
    const [row] = await waitTerminal(
      api,
      (created.body.items as Array<{ id: string }>).map((item) => item.id),
    );
    expect(row?.status).toBe('succeeded');

    const outputsOf = (res: { status: number; body: unknown }, status: number) => {
      expect(res.status).toBe(status);
      return (res.body as { items: Array<{ status: string; outputs: unknown[] }> }).items.map(
        (item) => [item.status, item.outputs.length],
      );
    };
    const replayed = await post(asKey(writer.key));
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(outputsOf(replayed, 201)).toEqual([['succeeded', 0]]);
    expect(outputsOf(await post(asKey(both.key)), 201)).toEqual([['succeeded', 1]]);
    expect(outputsOf(await post(bearer(user.accessToken)), 201)).toEqual([['succeeded', 1]]);
    const cancel = (credential: [string, string]) =>
      api
        .http()
        .post(`/v1/batches/${created.body.id}/cancel`)
        .set(...credential);
    expect(outputsOf(await cancel(asKey(writer.key)), 200)).toEqual([['succeeded', 0]]);
    expect(outputsOf(await cancel(asKey(both.key)), 200)).toEqual([['succeeded', 1]]);
  }, 90_000);

  it('refuses a tampered, malformed or cookie-borne key with 401', async () => {
    const user = await newUser(api, 'tamper');
    const { key } = await createKey(user, ['credits:read']);
    expect(
      (
        await api
          .http()
          .get('/v1/credits/balance')
          .set(...asKey(key))
      ).status,
    ).toBe(200);
    const last = key.at(-1) === '0' ? '1' : '0';
    for (const bad of [`${key.slice(0, -1)}${last}`, key.slice(0, -2), `${key}00`]) {
      const res = await api
        .http()
        .get('/v1/credits/balance')
        .set(...asKey(bad));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    }
    const cookie = await api
      .http()
      .get('/v1/credits/balance')
      .set('Cookie', `access_token=${key}; api_key=${key}`);
    expect(cookie.status).toBe(401);
  });

  it('cannot reach admin routes, manage keys, or act on the account, even for an admin', async () => {
    const admin = await newAdmin(api);
    const { key } = await createKey(admin, [
      'jobs:read',
      'jobs:write',
      'files:write',
      'credits:read',
      'webhooks:manage',
    ]);
    const refused = [
      api.http().get('/v1/admin/users'),
      api.http().get('/v1/admin/audit'),
      api.http().get('/v1/api-keys'),
      api
        .http()
        .post('/v1/api-keys')
        .send({ name: 'child', scopes: ['jobs:read'] }),
      api.http().get('/v1/me'),
      api.http().post('/v1/auth/logout'),
    ];
    for (const call of refused) {
      const res = await call.set(...asKey(key));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    const keys = await api.db.query('SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1', [
      admin.id,
    ]);
    expect(keys).toEqual([{ n: 1 }]);
  });

  it('a revoked key is 401 on the next request on another API process, within 5 s', async () => {
    const user = await newUser(api, 'revoke');
    const created = await createKey(user, ['credits:read']);
    // Warm the other process's cache with the live key.
    expect(
      (
        await secondHttp()
          .get('/v1/credits/balance')
          .set(...asKey(created.key))
      ).status,
    ).toBe(200);
    const revoked = await api
      .http()
      .delete(`/v1/api-keys/${created.id}`)
      .set(...bearer(user.accessToken));
    expect(revoked.status).toBe(204);
    const at = Date.now();
    // This process forgets at once.
    expect(
      (
        await api
          .http()
          .get('/v1/credits/balance')
          .set(...asKey(created.key))
      ).status,
    ).toBe(401);
    let status = 200;
    while (status === 200 && Date.now() - at < 10_000) {
      status = (
        await secondHttp()
          .get('/v1/credits/balance')
          .set(...asKey(created.key))
      ).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(401);
    expect(Date.now() - at).toBeLessThan(5000);
    const audit = await api.db.query(
      `SELECT action FROM audit_events WHERE target_id = $1 ORDER BY seq`,
      [created.id],
    );
    expect(audit).toEqual([{ action: 'api_key.created' }, { action: 'api_key.revoked' }]);
    // Revoked keys leave the list; revoking again is 404.
    const list = await api
      .http()
      .get('/v1/api-keys')
      .set(...bearer(user.accessToken));
    expect(list.body.data).toEqual([]);
    expect(
      (
        await api
          .http()
          .delete(`/v1/api-keys/${created.id}`)
          .set(...bearer(user.accessToken))
      ).status,
    ).toBe(404);
  });

  it("cannot revoke another user's key", async () => {
    const owner = await newUser(api, 'owner');
    const other = await newUser(api, 'other');
    const created = await createKey(owner, ['credits:read']);
    const res = await api
      .http()
      .delete(`/v1/api-keys/${created.id}`)
      .set(...bearer(other.accessToken));
    expect(res.status).toBe(404);
    expect(
      (
        await api
          .http()
          .get('/v1/credits/balance')
          .set(...asKey(created.key))
      ).status,
    ).toBe(200);
  });

  it("stops a banned user's key within 5 s, like a token", async () => {
    const user = await newUser(api, 'banned');
    const { key } = await createKey(user, ['credits:read']);
    expect(
      (
        await api
          .http()
          .get('/v1/credits/balance')
          .set(...asKey(key))
      ).status,
    ).toBe(200);
    await api.db.query(`UPDATE users SET status = 'banned' WHERE id = $1`, [user.id]);
    const at = Date.now();
    let res = await api
      .http()
      .get('/v1/credits/balance')
      .set(...asKey(key));
    while (res.status === 200 && Date.now() - at < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await api
        .http()
        .get('/v1/credits/balance')
        .set(...asKey(key));
    }
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ACCOUNT_BANNED');
    expect(Date.now() - at).toBeLessThan(5000);
  });

  it('an expired key stops; a past expiresAt is refused; unknown scopes are 400', async () => {
    const user = await newUser(api, 'expiry');
    const soon = new Date(Date.now() + 1500).toISOString();
    const { key } = await createKey(user, ['credits:read'], { expiresAt: soon });
    await new Promise((resolve) => setTimeout(resolve, 1600 + api.config.USER_STATUS_CACHE_MS));
    expect(
      (
        await api
          .http()
          .get('/v1/credits/balance')
          .set(...asKey(key))
      ).status,
    ).toBe(401);
    const past = await api
      .http()
      .post('/v1/api-keys')
      .set(...bearer(user.accessToken))
      .send({ name: 'old', scopes: ['jobs:read'], expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    const unknown = await api
      .http()
      .post('/v1/api-keys')
      .set(...bearer(user.accessToken))
      .send({ name: 'x', scopes: ['admin'] });
    expect(unknown.status).toBe(400);
  });

  /** The balance, asked with `credential`; and what is left of the answer's rate-limit window. */
  const balance = (credential: [string, string]) =>
    api
      .http()
      .get('/v1/credits/balance')
      .set(...credential);
  const remaining = (res: { headers: Record<string, string> }) =>
    Number(res.headers['x-ratelimit-remaining']);

  it("counts a key in its owner's rate-limit bucket once this process has accepted it: more keys buy no more requests", async () => {
    const user = await newUser(api, 'limits');
    // The session's bucket: these two creations.
    const { key: keyA } = await createKey(user, ['credits:read']);
    const { key: keyB } = await createKey(user, ['credits:read']);
    // A key's first request is counted by address (the limiter cannot tell a real key from a
    // made-up one before the guard has accepted it); from then on, in its owner's bucket.
    const firstA = await balance(asKey(keyA));
    expect(firstA.status).toBe(200);
    const limit = Number(firstA.headers['x-ratelimit-limit']);
    expect((await balance(asKey(keyB))).status).toBe(200);
    const byA = await balance(asKey(keyA));
    const byB = await balance(asKey(keyB));
    const bySession = await balance(bearer(user.accessToken));
    expect([byA, byB, bySession].map((res) => res.status)).toEqual([200, 200, 200]);
    expect(remaining(byA)).toBe(limit - 3);
    expect(remaining(byB)).toBe(limit - 4);
    expect(remaining(bySession)).toBe(limit - 5);
    // Another account's key is counted apart.
    const other = await newUser(api, 'limits-other');
    const { key: otherKey } = await createKey(other, ['credits:read']);
    await balance(asKey(otherKey));
    expect(remaining(await balance(asKey(otherKey)))).toBe(limit - 2);
  });

  it("stops counting a revoked key as its owner: in other hands it spends the address's limits, not the owner's", async () => {
    const user = await newUser(api, 'revoked-limits');
    const owner = async () => remaining(await balance(bearer(user.accessToken)));

    // Revoked through this process: forgotten at once, even by requests the guard never sees
    // (an unlisted query parameter is refused before it).
    const { key, id } = await createKey(user, ['credits:read']);
    expect((await balance(asKey(key))).status).toBe(200);
    expect((await balance(asKey(key))).status).toBe(200);
    const revoked = await api
      .http()
      .delete(`/v1/api-keys/${id}`)
      .set(...bearer(user.accessToken));
    expect(revoked.status).toBe(204);
    const before = await owner();
    const refused = [];
    for (let i = 0; i < 3; i += 1)
      refused.push(
        (
          await api
            .http()
            .get('/v1/credits/balance?bogus=1')
            .set(...asKey(key))
        ).status,
      );
    for (let i = 0; i < 2; i += 1) refused.push((await balance(asKey(key))).status);
    expect(refused).toEqual([400, 400, 400, 401, 401]);
    expect(await owner()).toBe(before - 1);

    // Revoked behind this process's back (another process's revoke, which this one hears of
    // within USER_STATUS_CACHE_MS): the guard's first refusal forgets it.
    const other = await createKey(user, ['credits:read']);
    expect((await balance(asKey(other.key))).status).toBe(200);
    await api.db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [other.id]);
    let status = 200;
    for (let i = 0; i < 100 && status !== 401; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await balance(asKey(other.key))).status;
    }
    expect(status).toBe(401);
    const after = await owner();
    for (let i = 0; i < 3; i += 1) expect((await balance(asKey(other.key))).status).toBe(401);
    expect(await owner()).toBe(after - 1);
  });
});
