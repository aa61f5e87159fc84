import type { Logger } from 'typeorm';
import { startLedger, type LedgerContext } from '../support/ledger';

/**
 * The exact SQL of each ledger operation, snapshotted (as Immich does for its repositories):
 * any change to the statements the money path runs shows up in review as a snapshot diff.
 * Update with `npx jest test/ledger-sql -u` after checking the new SQL by hand.
 */
describe('ledger SQL', () => {
  let ctx: LedgerContext;
  let recorded: string[] = [];

  beforeAll(async () => {
    ctx = await startLedger();
    const original = ctx.dataSource.logger;
    const recorder: Logger = {
      logQuery: (query) => void recorded.push(query.replace(/\s+/g, ' ').trim()),
      logQueryError: (...args) => original.logQueryError(...args),
      logQuerySlow: (...args) => original.logQuerySlow(...args),
      logSchemaBuild: (...args) => original.logSchemaBuild(...args),
      logMigration: (...args) => original.logMigration(...args),
      log: (...args) => original.log(...args),
    };
    ctx.dataSource.logger = recorder;
  });

  afterAll(async () => {
    await ctx.close();
  });

  const sqlOf = async (work: () => Promise<unknown>): Promise<string[]> => {
    recorded = [];
    await work();
    const statements = recorded;
    recorded = [];
    return statements;
  };

  it('runs these statements for each operation', async () => {
    const userId = await ctx.newAccount(10);
    const adminId = await ctx.newAccount();
    let holdId = '';
    const reserve = await sqlOf(async () => {
      holdId = (await ctx.ledger.reserve(userId, 'generate', `${userId}:sql-1`)).id;
    });
    const confirm = await sqlOf(() => ctx.ledger.confirm(holdId));
    const second = await ctx.ledger.reserve(userId, 'upscale', `${userId}:sql-2`);
    const refund = await sqlOf(() => ctx.ledger.refund(second.id, 'failed'));
    const grant = await sqlOf(() =>
      ctx.ledger.grant(userId, 5, `${userId}:sql-grant`, 'promotion'),
    );
    const adjust = await sqlOf(() =>
      ctx.ledger.adjust(userId, -1, `${userId}:sql-adjust`, 'correction', adminId),
    );
    expect({ reserve, confirm, refund, grant, adjust }).toMatchSnapshot();
  });
});
