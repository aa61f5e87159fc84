import { Client } from 'pg';
import { DEV_AUDIT_CHAIN_KEY, GENESIS_HASH, hashRow, sealOf } from '@jewelshot/audit';
import { migrationDataSource } from '../../migrations/data-source';
import { auditRow } from '../support/audit-rows';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';

/**
 * The migration that seals the audit chain: the events written before it get their seal with
 * the key the migration runs with, and the chain stays append-only afterwards.
 */
const EVENTS = 5003;

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
      // More than one page of the migration's (5,000 events a statement).
      let prevHash = GENESIS_HASH;
      const rows: Array<[number, Date, string | null, string, string]> = [];
      for (let seq = 1; seq <= EVENTS; seq += 1) {
        const fields = auditRow({
          seq,
          prevHash,
          occurredAt: new Date(Date.UTC(2026, 10, 1, 12, 0, 0, seq)),
          actorEmail: 'before@example.test',
          reason: 'before the seal',
        });
        const hash = hashRow(fields);
        rows.push([seq, fields.occurredAt, fields.targetId, prevHash, hash]);
        prevHash = hash;
      }
      await db.query(
        `INSERT INTO audit_events (seq, occurred_at, actor_email, action, target_type, target_id,
           outcome, reason, prev_hash, hash)
         SELECT v.seq, v.at, 'before@example.test', 'user.ban', 'user', v.target, 'succeeded',
                'before the seal', v.prev, v.hash
           FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[])
             AS v(seq, at, target, prev, hash)`,
        [0, 1, 2, 3, 4].map((i) => rows.map((row) => row[i])),
      );
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
    expect(rows).toHaveLength(EVENTS);
    expect(rows.filter((row) => row.seal !== sealOf(row.hash, key))).toEqual([]);
    await expect(
      db.query(`UPDATE audit_events SET reason = 'later' WHERE seq = 1`),
    ).rejects.toThrow(/append-only/);
  });
});
