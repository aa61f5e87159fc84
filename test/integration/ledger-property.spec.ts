import fc from 'fast-check';
import {
  AccountNotFoundError,
  BelowReservedError,
  HoldStateError,
  InsufficientCreditsError,
  ReferenceConflictError,
  type CreditHold,
} from '@jewelshot/credit-ledger';
import { startLedger, type LedgerContext } from '../support/ledger';

const ACCOUNTS = 10;
const OPERATIONS = 2000;
const CALLERS = 32;
const SEED = Number(process.env.LEDGER_PROPERTY_SEED ?? 20261128);

type Command =
  | { kind: 'reserve'; account: number; operation: string; quantity: number; ref: number }
  | { kind: 'confirm' | 'refund' | 'expire'; pick: number }
  | { kind: 'grant'; ref: number }
  | { kind: 'adjust'; ref: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      account: fc.nat({ max: ACCOUNTS - 1 }),
      operation: fc.constantFrom('generate', 'edit', 'remove-background', 'upscale'),
      quantity: fc.integer({ min: 1, max: 3 }),
      // A small range makes duplicate references (same and conflicting) common.
      ref: fc.nat({ max: 1200 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('confirm' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('grant' as const), ref: fc.nat({ max: 150 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('adjust' as const), ref: fc.nat({ max: 150 }) }),
  },
);

/** The errors the ledger is allowed to answer with; anything else fails the property. */
function expected(error: unknown): boolean {
  return (
    error instanceof InsufficientCreditsError ||
    error instanceof HoldStateError ||
    error instanceof BelowReservedError ||
    error instanceof ReferenceConflictError ||
    error instanceof AccountNotFoundError
  );
}

describe('credit ledger under random concurrent use (fast-check)', () => {
  let ctx: LedgerContext;

  beforeAll(async () => {
    ctx = await startLedger({ DB_POOL_SIZE: '24' });
  });

  afterAll(async () => {
    await ctx.close();
  });

  it(`keeps every invariant over ${OPERATIONS} operations from ${CALLERS} callers on ${ACCOUNTS} accounts`, async () => {
    const run = `p${Date.now().toString(36)}`;
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: OPERATIONS, maxLength: OPERATIONS }),
        async (commands) => {
          const accounts: string[] = [];
          for (let i = 0; i < ACCOUNTS; i += 1) accounts.push(await ctx.newAccount(10));
          const accountAt = (i: number) => accounts[i % ACCOUNTS] as string;

          const holds: CreditHold[] = [];
          const grants = new Map<string, { userId: string; amount: number }>();
          const adjustments = new Map<string, { userId: string; delta: number }>();
          const posted = new Map<string, CreditHold>();
          const unexpected: unknown[] = [];

          const execute = async (c: Command): Promise<void> => {
            const hold = 'pick' in c && holds.length > 0 ? holds[c.pick % holds.length] : undefined;
            switch (c.kind) {
              case 'reserve': {
                const created = await ctx.ledger.reserve(
                  accountAt(c.account),
                  c.operation,
                  `${run}:r${c.ref}`,
                  { quantity: c.quantity },
                );
                holds.push(created);
                return;
              }
              case 'confirm':
                if (hold) {
                  const result = await ctx.ledger.confirm(hold.id);
                  if (result.status === 'posted') posted.set(result.id, result);
                }
                return;
              case 'refund':
                if (hold) await ctx.ledger.refund(hold.id, 'random refund');
                return;
              case 'expire':
                if (hold) await ctx.ledger.expire(hold.id, 'random expiry');
                return;
              case 'grant': {
                // The same reference always means the same grant, so duplicates are true retries.
                const userId = accountAt(c.ref);
                const amount = 1 + (c.ref % 5);
                await ctx.ledger.grant(userId, amount, `${run}:g${c.ref}`, 'random grant');
                grants.set(`${run}:g${c.ref}`, { userId, amount });
                return;
              }
              case 'adjust': {
                const userId = accountAt(c.ref + 3);
                const delta = (c.ref % 7) - 3 || 2;
                await ctx.ledger.adjust(
                  userId,
                  delta,
                  `${run}:a${c.ref}`,
                  'random adjustment',
                  null,
                );
                adjustments.set(`${run}:a${c.ref}`, { userId, delta });
                return;
              }
            }
          };

          const queue = [...commands];
          await Promise.all(
            Array.from({ length: CALLERS }, async () => {
              for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
                try {
                  await execute(c);
                } catch (error) {
                  if (!expected(error)) unexpected.push(error);
                }
              }
            }),
          );
          expect(unexpected).toEqual([]);

          const report = await ctx.verifier.verify();
          expect(report.violations).toEqual([]);

          const postedInDb = (await ctx.dataSource.query(
            `SELECT id FROM credit_holds WHERE status = 'posted' AND user_id = ANY($1)`,
            [accounts],
          )) as Array<{ id: string }>;
          expect(new Set(postedInDb.map((row) => row.id))).toEqual(new Set(posted.keys()));

          for (const userId of accounts) {
            const granted =
              10 +
              [...grants.values()]
                .filter((g) => g.userId === userId)
                .reduce((sum, g) => sum + g.amount, 0);
            const adjusted = [...adjustments.values()]
              .filter((a) => a.userId === userId)
              .reduce((sum, a) => sum + a.delta, 0);
            const charged = [...posted.values()]
              .filter((h) => h.userId === userId)
              .reduce((sum, h) => sum + h.amount, 0);
            const { balance, reserved, available } = await ctx.ledger.balance(userId);
            expect({ userId, balance }).toEqual({ userId, balance: granted + adjusted - charged });
            expect(reserved).toBeGreaterThanOrEqual(0);
            expect(available).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 1, seed: SEED, endOnFailure: true },
    );
  });
});
