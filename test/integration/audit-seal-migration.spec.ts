import { Client } from 'pg';
import { DEV_AUDIT_CHAIN_KEY, GENESIS_HASH, hashRow, sealOf } from '@jewelshot/audit';
import { migrationDataSource } from '../../migrations/data-source';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';

/**
 * The migration that seals the audit chain: the events written before it get their seal with
 * the key the migration runs with, and the chain stays append-only afterwards.
 */
describe('the audit seal migration', () => {
  let own: SuiteDatabase;
  let db: Client;

  beforeAll(async () => {
    own = await suiteDatabase('audit_seal');
    db = new Client({ connectionString: own.url });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await own.drop();
  });

  it('seals the events written before it, and leaves the append-only trigger on', async () => {
    const dataSource = await migrationDataSource(own.url).initialize();
    try {
      // Back to the database before the seal (any later migration undone first), with three
      // events written then.
      const last = async () =>
        (
          (await db.query('SELECT name FROM schema_migrations ORDER BY id DESC LIMIT 1'))
            .rows[0] as {
            name: string;
          }
        ).name;
      const undone: string[] = [];
      while (undone[undone.length - 1] !== 'AuditSeal1795930000018') {
        undone.push(await last());
        await dataSource.undoLastMigration({ transaction: 'each' });
      }
      let prevHash = GENESIS_HASH;
      const hashes: string[] = [];
      for (let seq = 1; seq <= 3; seq += 1) {
        const fields = {
          seq,
          occurredAt: new Date(Date.UTC(2026, 10, 1, 12, 0, seq)),
          actorId: null,
          actorEmail: 'before@example.test',
          action: 'user.ban',
          targetType: 'user',
          targetId: `t-${seq}`,
          outcome: 'succeeded' as const,
          reason: 'before the seal',
          details: null,
          before: null,
          after: null,
          ip: null,
          userAgent: null,
          requestId: null,
          prevHash,
        };
        const hash = hashRow(fields);
        await db.query(
          `INSERT INTO audit_events (seq, occurred_at, actor_email, action, target_type, target_id,
             outcome, reason, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            seq,
            fields.occurredAt,
            fields.actorEmail,
            fields.action,
            fields.targetType,
            fields.targetId,
            fields.outcome,
            fields.reason,
            prevHash,
            hash,
          ],
        );
        hashes.push(hash);
        prevHash = hash;
      }
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      expect(applied.map((m) => m.name)).toEqual([...undone].reverse());
    } finally {
      await dataSource.destroy();
    }
    const rows = (await db.query('SELECT hash, seal FROM audit_events ORDER BY seq'))
      .rows as Array<{
      hash: string;
      seal: string;
    }>;
    // Sealed with the key the migration ran with: the environment's, else the development one.
    const key = process.env.AUDIT_CHAIN_KEY || DEV_AUDIT_CHAIN_KEY;
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => row.seal)).toEqual(rows.map((row) => sealOf(row.hash, key)));
    await expect(
      db.query(`UPDATE audit_events SET reason = 'later' WHERE seq = 1`),
    ).rejects.toThrow(/append-only/);
  });
});
