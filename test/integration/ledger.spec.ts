import { TransactionHost } from '@nestjs-cls/transactional';
import {
  BelowReservedError,
  HoldStateError,
  InsufficientCreditsError,
  ReferenceConflictError,
  type LedgerService,
} from '@jewelshot/credit-ledger';
import { startLedger, type LedgerContext } from '../support/ledger';

describe('credit ledger', () => {
  let ctx: LedgerContext;
  let ledger: LedgerService;

  beforeAll(async () => {
    // 1,000 callers queue for 24 connections on one row lock: on a loaded machine the last ones wait
    // longer than the production default for a connection, which is not what this suite is about.
    ctx = await startLedger({ DB_POOL_SIZE: '24', DB_CONNECT_TIMEOUT_MS: '60000' });
    ledger = ctx.ledger;
  });

  afterAll(async () => {
    await ctx.close();
  });

  afterEach(async () => {
    const report = await ctx.verifier.verify();
    expect(report.violations).toEqual([]);
  });

  it('opens an empty account with every user', async () => {
    const userId = await ctx.newAccount();
    expect(await ledger.balance(userId)).toEqual({ balance: 0, reserved: 0, available: 0 });
  });

  it('reserves at the listed price × quantity and charges on confirm', async () => {
    const userId = await ctx.newAccount(10);
    const hold = await ledger.reserve(userId, 'upscale', 'job-a', { quantity: 2 });
    expect(hold).toMatchObject({ amount: 4, unitPrice: 2, quantity: 2, status: 'pending' });
    expect(await ledger.balance(userId)).toEqual({ balance: 10, reserved: 4, available: 6 });
    const posted = await ledger.confirm(hold.id);
    expect(posted.status).toBe('posted');
    expect(await ledger.balance(userId)).toEqual({ balance: 6, reserved: 0, available: 6 });
  });

  it('refuses a reservation that would overdraw the account, with needed and available', async () => {
    const userId = await ctx.newAccount(2);
    await ledger.reserve(userId, 'generate', `${userId}:1`);
    const attempt = ledger.reserve(userId, 'upscale', `${userId}:2`);
    await expect(attempt).rejects.toBeInstanceOf(InsufficientCreditsError);
    await expect(attempt).rejects.toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      details: { needed: 2, available: 1 },
    });
    expect(await ledger.balance(userId)).toEqual({ balance: 2, reserved: 1, available: 1 });
  });

  it('tells of a low balance once per crossing, through reservations and refunds too', async () => {
    // LOW_CREDITS_THRESHOLD is 2: available below 2 is low.
    const userId = await ctx.newAccount(4);
    const state = async () => {
      const [account] = (await ctx.dataSource.query(
        'SELECT low_credits_notified FROM credit_accounts WHERE user_id = $1',
        [userId],
      )) as Array<{ low_credits_notified: boolean }>;
      const [events] = (await ctx.dataSource.query(
        `SELECT count(*)::int AS n FROM domain_events
          WHERE name = 'credit-ledger.credits-low' AND payload->>'userId' = $1`,
        [userId],
      )) as Array<{ n: number }>;
      return { notified: account?.low_credits_notified, told: events?.n };
    };
    const first = await ledger.reserve(userId, 'generate', `${userId}:low-1`); // 4 → 3
    expect(await state()).toEqual({ notified: false, told: 0 });
    await ledger.reserve(userId, 'upscale', `${userId}:low-2`); // 3 → 1: crosses
    expect(await state()).toEqual({ notified: true, told: 1 });
    const third = await ledger.reserve(userId, 'generate', `${userId}:low-3`); // 1 → 0: still low
    expect(await state()).toEqual({ notified: true, told: 1 });
    await ledger.refund(third.id, 'test'); // 0 → 1: still low
    await ledger.refund(first.id, 'test'); // 1 → 2: back to the threshold
    expect(await state()).toEqual({ notified: false, told: 1 });
    await ledger.reserve(userId, 'generate', `${userId}:low-4`); // 2 → 1: crosses again
    expect(await state()).toEqual({ notified: true, told: 2 });
  });

  it('holds once per reference', async () => {
    const userId = await ctx.newAccount(5);
    const first = await ledger.reserve(userId, 'generate', `${userId}:same`);
    const again = await ledger.reserve(userId, 'generate', `${userId}:same`);
    expect(again.id).toBe(first.id);
    expect((await ledger.balance(userId)).reserved).toBe(1);
    await expect(ledger.reserve(userId, 'upscale', `${userId}:same`)).rejects.toBeInstanceOf(
      ReferenceConflictError,
    );
  });

  it('charges once when confirmed twice', async () => {
    const userId = await ctx.newAccount(5);
    const hold = await ledger.reserve(userId, 'generate', `${userId}:c2`);
    await ledger.confirm(hold.id);
    await ledger.confirm(hold.id);
    await Promise.all([ledger.confirm(hold.id), ledger.confirm(hold.id)]);
    expect(await ledger.balance(userId)).toEqual({ balance: 4, reserved: 0, available: 4 });
    const history = await ledger.history(userId, 10);
    expect(history.data.filter((entry) => entry.kind === 'charge')).toHaveLength(1);
  });

  it('refuses a refund after confirm and changes nothing', async () => {
    const userId = await ctx.newAccount(5);
    const hold = await ledger.reserve(userId, 'generate', `${userId}:rc`);
    await ledger.confirm(hold.id);
    const before = await ledger.balance(userId);
    await expect(ledger.refund(hold.id, 'too late')).rejects.toBeInstanceOf(HoldStateError);
    expect(await ledger.balance(userId)).toEqual(before);
  });

  it('releases once when refunded twice, and then refuses to confirm', async () => {
    const userId = await ctx.newAccount(5);
    const hold = await ledger.reserve(userId, 'upscale', `${userId}:rr`);
    await ledger.refund(hold.id, 'provider failed');
    const again = await ledger.refund(hold.id, 'provider failed again');
    expect(again).toMatchObject({ status: 'voided', reason: 'provider failed' });
    expect(await ledger.balance(userId)).toEqual({ balance: 5, reserved: 0, available: 5 });
    await expect(ledger.confirm(hold.id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('never posts an expired hold', async () => {
    const userId = await ctx.newAccount(5);
    const hold = await ledger.reserve(userId, 'generate', `${userId}:exp`, { ttlSeconds: 60 });
    await ctx.dataSource.query(
      `UPDATE credit_holds SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [hold.id],
    );
    const swept = await ledger.expireStale(async () => new Set());
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    await expect(ledger.confirm(hold.id)).rejects.toBeInstanceOf(HoldStateError);
    expect(await ledger.balance(userId)).toEqual({ balance: 5, reserved: 0, available: 5 });
  });

  it('leaves a hold past its expiry alone while its job still runs', async () => {
    const userId = await ctx.newAccount(5);
    const hold = await ledger.reserve(userId, 'generate', `${userId}:busy`);
    await ctx.dataSource.query(
      `UPDATE credit_holds SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [hold.id],
    );
    await ledger.expireStale(
      async (references) => new Set(references.filter((r) => r === hold.reference)),
    );
    expect((await ledger.confirm(hold.id)).status).toBe('posted');
  });

  it('adjusts down but never below what is reserved, and records who did it', async () => {
    const userId = await ctx.newAccount(5);
    const adminId = await ctx.newAccount();
    await ledger.reserve(userId, 'upscale', `${userId}:adj`, { quantity: 2 });
    await expect(
      ledger.adjust(userId, -2, `${userId}:adj-1`, 'too far', adminId),
    ).rejects.toBeInstanceOf(BelowReservedError);
    const entry = await ledger.adjust(userId, -1, `${userId}:adj-2`, 'goodwill reversal', adminId);
    expect(entry).toMatchObject({
      kind: 'adjustment',
      delta: -1,
      balanceAfter: 4,
      actorId: adminId,
    });
    const same = await ledger.adjust(userId, -1, `${userId}:adj-2`, 'goodwill reversal', adminId);
    expect(same.id).toBe(entry.id);
    expect(await ledger.balance(userId)).toEqual({ balance: 4, reserved: 4, available: 0 });
  });

  it('answers an unknown or malformed hold id with not-found', async () => {
    await expect(ledger.confirm('not-a-uuid')).rejects.toMatchObject({
      code: 'RESOURCE_NOT_FOUND',
    });
    await expect(ledger.refund('00000000-0000-4000-8000-000000000000', 'x')).rejects.toMatchObject({
      code: 'RESOURCE_NOT_FOUND',
    });
  });

  it('grants once per reference', async () => {
    const userId = await ctx.newAccount();
    await Promise.all([1, 2, 3].map(() => ledger.grant(userId, 7, `${userId}:promo`, 'promotion')));
    expect((await ledger.balance(userId)).balance).toBe(7);
  });

  it('names the users who ever bought credits, and only those', async () => {
    const buyer = await ctx.newAccount();
    const granted = await ctx.newAccount();
    const none = await ctx.newAccount();
    await ledger.grant(buyer, 10, `${buyer}:order-1`, 'order 1', 'purchase');
    await ledger.grant(granted, 10, `${granted}:promo`, 'promotion');
    expect(await ledger.purchasers([buyer, granted, none])).toEqual(new Set([buyer]));
    expect(await ledger.purchasers([])).toEqual(new Set());
  });

  it('lets the database refuse UPDATE, DELETE and TRUNCATE of history', async () => {
    const userId = await ctx.newAccount(3);
    await expect(
      ctx.dataSource.query(`UPDATE credit_entries SET delta = 1000 WHERE user_id = $1`, [userId]),
    ).rejects.toThrow(/append-only/);
    await expect(
      ctx.dataSource.query(`DELETE FROM credit_entries WHERE user_id = $1`, [userId]),
    ).rejects.toThrow(/append-only/);
    await expect(ctx.dataSource.query(`TRUNCATE credit_entries CASCADE`)).rejects.toThrow(
      /append-only/,
    );
    expect((await ledger.balance(userId)).balance).toBe(3);
  });

  it('lets the database refuse an overdrawn account even past the code', async () => {
    const userId = await ctx.newAccount(1);
    await expect(
      ctx.dataSource.query(`UPDATE credit_accounts SET reserved = 2 WHERE user_id = $1`, [userId]),
    ).rejects.toThrow(/credit_accounts_amounts_check/);
  });

  it('leaves no hold and no reservation when the caller rolls its transaction back', async () => {
    const userId = await ctx.newAccount(5);
    const txHost = ctx.app.get(TransactionHost);
    await expect(
      txHost.withTransaction(async () => {
        await ledger.reserve(userId, 'generate', `${userId}:rollback`);
        throw new Error('the caller failed after reserving');
      }),
    ).rejects.toThrow('the caller failed');
    expect(await ledger.balance(userId)).toEqual({ balance: 5, reserved: 0, available: 5 });
    const holds = await ctx.dataSource.query(`SELECT id FROM credit_holds WHERE reference = $1`, [
      `${userId}:rollback`,
    ]);
    expect(holds).toEqual([]);
  });

  it('lets exactly 100 of 1,000 concurrent reservations through on 100 credits', async () => {
    const userId = await ctx.newAccount(100);
    const poolSize = ctx.dataSource.options.poolSize;
    expect(poolSize).toBeGreaterThanOrEqual(20);
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) =>
        ledger.reserve(userId, 'generate', `${userId}:burst:${i}`),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(100);
    expect(refused).toHaveLength(900);
    // Every refusal is "not enough credits"; anything else is listed with its message.
    const otherErrors = refused
      .map((r) => (r as PromiseRejectedResult).reason as unknown)
      .filter((reason) => !(reason instanceof InsufficientCreditsError))
      .map((reason) => String(reason));
    expect(otherErrors).toEqual([]);
    expect(await ledger.balance(userId)).toEqual({ balance: 100, reserved: 100, available: 0 });
  });

  it('names what is wrong when the books do not balance', async () => {
    const userId = await ctx.newAccount(4);
    // Break the books behind the ledger's back, inside a transaction that is rolled back, so
    // that no other suite's verifier ever sees it.
    const runner = ctx.dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`UPDATE credit_accounts SET balance = balance + 1 WHERE user_id = $1`, [
        userId,
      ]);
      const report = await ctx.verifier.verifyWithin(runner.manager);
      expect(report.violations).toEqual([
        expect.objectContaining({
          check: 'balance equals the sum of entries',
          subject: userId,
          detail: expect.stringContaining('balance 5'),
        }),
      ]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
