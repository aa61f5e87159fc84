import { LedgerService } from '@jewelshot/credit-ledger';
import { RowScope } from '@jewelshot/platform';
import { loadConfig } from '../support/config';
import { createWorker, type WorkerApp } from '../../apps/worker/src/bootstrap';
import { startApi, type TestApi } from '../support/app';
import { bearer, newAdmin, newUser, uniqueEmail } from '../support/factories';
import { baseTestEnv } from '../support/test-env';

describe('credits over HTTP', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi({ SIGNUP_CREDITS: '3' });
  });

  afterAll(async () => {
    await api.close();
  });

  it('grants the sign-up credits with the account', async () => {
    const user = await newUser(api);
    const balance = await api
      .http()
      .get('/v1/credits/balance')
      .set(...bearer(user.accessToken));
    expect(balance.status).toBe(200);
    expect(balance.body).toEqual({ balance: 3, reserved: 0, available: 3 });
    const history = await api
      .http()
      .get('/v1/credits/history')
      .set(...bearer(user.accessToken));
    expect(history.body.data).toEqual([
      expect.objectContaining({
        kind: 'grant',
        delta: 3,
        balanceAfter: 3,
        reason: 'Sign-up credits',
      }),
    ]);
    expect(history.body.nextCursor).toBeNull();
  });

  it('creates no user when the sign-up grant fails (one transaction)', async () => {
    const email = uniqueEmail('atomic');
    const ledger = api.app.get(LedgerService);
    const grant = jest
      .spyOn(ledger, 'grant')
      .mockRejectedValueOnce(new Error('ledger unavailable'));
    try {
      const res = await api
        .http()
        .post('/v1/auth/register')
        .send({ email, password: 'atomic-password' });
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('INTERNAL_ERROR');
    } finally {
      grant.mockRestore();
    }
    const rows = await api.db.query('SELECT id FROM users WHERE email = $1', [email]);
    expect(rows).toEqual([]);
    const retry = await api
      .http()
      .post('/v1/auth/register')
      .send({ email, password: 'atomic-password' });
    expect(retry.status).toBe(201);
  });

  it('pages the history newest first with a cursor', async () => {
    const user = await newUser(api);
    const ledger = api.app.get(LedgerService);
    const scope = api.app.get(RowScope);
    for (let i = 1; i <= 4; i += 1)
      await scope.run(user.id, () =>
        ledger.grant(user.id, i, `${user.id}:page:${i}`, `grant ${i}`),
      );
    const first = await api
      .http()
      .get('/v1/credits/history?limit=3')
      .set(...bearer(user.accessToken));
    expect(first.body.data.map((e: { delta: number }) => e.delta)).toEqual([4, 3, 2]);
    const second = await api
      .http()
      .get(`/v1/credits/history?limit=3&cursor=${first.body.nextCursor}`)
      .set(...bearer(user.accessToken));
    expect(second.body.data.map((e: { delta: number }) => e.delta)).toEqual([1, 3]);
    expect(second.body.nextCursor).toBeNull();
    // Not a cursor, and one past the largest entry id (a bigint): 400, not a database error.
    for (const cursor of ['abc', '9999999999999999999']) {
      const bad = await api
        .http()
        .get(`/v1/credits/history?cursor=${cursor}`)
        .set(...bearer(user.accessToken));
      expect([cursor, bad.status]).toEqual([cursor, 400]);
    }
  });

  it("names what a charge paid for, and lists holds with refunds, only the caller's", async () => {
    const user = await newUser(api);
    const other = await newUser(api);
    const ledger = api.app.get(LedgerService);
    const scope = api.app.get(RowScope);
    const charged = await scope.run(user.id, () =>
      ledger.reserve(user.id, 'remove-background', `${user.id}:charged`, { quantity: 2 }),
    );
    await scope.run(user.id, () => ledger.confirm(charged.id));
    const refunded = await scope.run(user.id, () =>
      ledger.reserve(user.id, 'generate', `${user.id}:refunded`),
    );
    await scope.run(user.id, () => ledger.refund(refunded.id, 'canceled'));

    const history = await api
      .http()
      .get('/v1/credits/history')
      .set(...bearer(user.accessToken));
    expect(history.body.data[0]).toMatchObject({
      kind: 'charge',
      delta: -2,
      holdId: charged.id,
      operation: 'remove-background',
      quantity: 2,
    });
    expect(history.body.data[1]).toMatchObject({ kind: 'grant', operation: null, quantity: null });

    const first = await api
      .http()
      .get('/v1/credits/holds?limit=1')
      .set(...bearer(user.accessToken));
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([
      {
        id: refunded.id,
        operation: 'generate',
        quantity: 1,
        amount: 1,
        status: 'voided',
        createdAt: expect.any(String),
        settledAt: expect.any(String),
      },
    ]);
    expect(first.body.nextCursor).toBe(refunded.id);
    const second = await api
      .http()
      .get(`/v1/credits/holds?limit=1&cursor=${first.body.nextCursor}`)
      .set(...bearer(user.accessToken));
    expect(second.body.data).toEqual([
      expect.objectContaining({ id: charged.id, status: 'posted', amount: 2, quantity: 2 }),
    ]);
    expect(second.body.nextCursor).toBeNull();

    const theirs = await api
      .http()
      .get('/v1/credits/holds')
      .set(...bearer(other.accessToken));
    expect(theirs.body).toEqual({ data: [], nextCursor: null });
    // Another user's hold id is not a cursor they can page from.
    const foreignCursor = await api
      .http()
      .get(`/v1/credits/holds?cursor=${charged.id}`)
      .set(...bearer(other.accessToken));
    expect(foreignCursor.status).toBe(400);
    expect(foreignCursor.body.code).toBe('VALIDATION_ERROR');
    const badCursor = await api
      .http()
      .get('/v1/credits/holds?cursor=abc')
      .set(...bearer(user.accessToken));
    expect(badCursor.status).toBe(400);
  });

  it('lists prices publicly', async () => {
    const res = await api.http().get('/v1/credits/prices');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.arrayContaining([
        { operation: 'generate', credits: 1 },
        { operation: 'edit', credits: 1 },
        { operation: 'remove-background', credits: 1 },
        { operation: 'upscale', credits: 2 },
      ]),
    );
  });

  it.each([
    ['post', '/api/credits/use', '/v1/ai/jobs'],
    ['post', '/api/credits/add', '/v1/admin/users/{userId}/credits'],
    ['post', '/api/credits/refund', '/v1/ai/jobs/{id}/cancel'],
    ['get', '/api/credits/check', '/v1/credits/balance'],
  ] as const)('answers the old %s %s with 410 and where to go', async (method, path, migrateTo) => {
    const res = await api.http()[method](path).send({});
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({
      statusCode: 410,
      code: 'GONE',
      migrateTo,
      requestId: expect.any(String),
    });
  });

  it('lets an admin adjust credits, on the record and idempotently, and verify the ledger', async () => {
    const admin = await newAdmin(api);
    const user = await newUser(api);
    const adjust = (body: object) =>
      api
        .http()
        .post(`/v1/admin/users/${user.id}/credits`)
        .set(...bearer(admin.accessToken))
        .send(body);

    const first = await adjust({ delta: 10, reason: 'support ticket 42', reference: 'ticket-42' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      kind: 'adjustment',
      delta: 10,
      balanceAfter: 13,
      reason: 'support ticket 42',
    });
    expect(
      (await adjust({ delta: 10, reason: 'support ticket 42', reference: 'ticket-42' })).body.id,
    ).toBe(first.body.id);
    expect((await adjust({ delta: 5, reason: 'different', reference: 'ticket-42' })).status).toBe(
      409,
    );
    const below = await adjust({ delta: -100, reason: 'too much', reference: 'ticket-43' });
    expect(below.status).toBe(409);
    expect(below.body).toMatchObject({
      code: 'CONFLICT',
      error: 'An adjustment may not take the balance below what is reserved',
      details: { reason: 'BELOW_RESERVED' },
    });
    expect((await adjust({ delta: 0, reason: 'nothing', reference: 'ticket-44' })).status).toBe(
      400,
    );
    // A reason says something: 3-500 characters once trimmed, as for every admin action.
    for (const reason of ['   ', ' ok ']) {
      const refused = await adjust({ delta: 1, reason, reference: 'ticket-45' });
      expect([reason, refused.status, refused.body.details]).toEqual([
        reason,
        400,
        [expect.objectContaining({ field: 'reason' })],
      ]);
    }

    const [entry] = await api.db.query(`SELECT actor_id FROM credit_entries WHERE id = $1`, [
      first.body.id,
    ]);
    expect(entry.actor_id).toBe(admin.id);

    const forbidden = await api
      .http()
      .post(`/v1/admin/users/${user.id}/credits`)
      .set(...bearer(user.accessToken))
      .send({});
    expect(forbidden.status).toBe(403);

    const verify = await api
      .http()
      .get('/v1/admin/ledger/verify')
      .set(...bearer(admin.accessToken));
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true, violations: [] });
    expect(verify.body.accounts).toBeGreaterThan(0);
  });
});

describe('hold sweeper in the worker', () => {
  it('expires a pending hold past its time within one sweep interval', async () => {
    const env = {
      ...baseTestEnv(),
      REDIS_KEY_PREFIX: `${baseTestEnv().REDIS_KEY_PREFIX}sweep:`,
      HOLD_SWEEP_INTERVAL_MS: '1000',
    };
    const api = await startApi(env);
    let worker: WorkerApp | undefined;
    try {
      const user = await newUser(api);
      const ledger = api.app.get(LedgerService);
      const scope = api.app.get(RowScope);
      const hold = await scope.run(user.id, () =>
        ledger.reserve(user.id, 'generate', `${user.id}:sweep`, { ttlSeconds: 60 }),
      );
      await api.db.query(
        `UPDATE credit_holds SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [hold.id],
      );

      worker = await createWorker(loadConfig(env));
      let status = 'pending';
      for (let i = 0; i < 50 && status === 'pending'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const [row] = await api.db.query(`SELECT status FROM credit_holds WHERE id = $1`, [
          hold.id,
        ]);
        status = row.status;
      }
      expect(status).toBe('expired');
      expect(await scope.run(user.id, () => ledger.balance(user.id))).toEqual({
        balance: 3,
        reserved: 0,
        available: 3,
      });
    } finally {
      await worker?.close();
      await api.close();
    }
  });
});
