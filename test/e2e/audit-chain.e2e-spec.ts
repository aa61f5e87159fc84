import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AuditAnchors,
  AuditChainAheadError,
  AuditLog,
  AuditService,
  AuditVerifier,
  chainKeyId,
  GENESIS_HASH,
  hashRow,
  MAX_BREAKS,
  sealOf,
  type AuditActor,
} from '@jewelshot/audit';
import { RowScope } from '@jewelshot/platform';
import { TransactionHost } from '@nestjs-cls/transactional';
import { startApi, type TestApi } from '../support/app';
import { auditRow } from '../support/audit-rows';
import { bearer, newAdmin, newUser } from '../support/factories';
import { suiteDatabase, type SuiteDatabase } from '../support/suite-database';
import { repoRoot } from '@jewelshot/platform';
import { baseTestEnv, suitePrefix } from '../support/test-env';
import { loadConfig } from '../support/config';
import { createWorker } from '../../apps/worker/src/bootstrap';

const run = promisify(execFile);

const ACTOR: AuditActor = {
  actorId: null,
  actorEmail: 'chain@example.test',
  ip: '127.0.0.1',
  userAgent: 'jest',
  requestId: 'chain-test-0001',
};

/**
 * The chain itself: concurrent appends, the append-only trigger, tampering found by the
 * verifier (HTTP and `npm run audit:verify`), and anchors. On a database of its own: this suite
 * breaks the chain on purpose.
 */
describe('the audit chain', () => {
  let own: SuiteDatabase;
  let api: TestApi;
  let anchorDir: string;

  beforeAll(async () => {
    own = await suiteDatabase('audit');
    anchorDir = mkdtempSync(join(tmpdir(), 'jewelshot-anchors-'));
    api = await startApi({ DATABASE_URL: own.url, AUDIT_ANCHOR_DIR: anchorDir });
  });

  afterAll(async () => {
    await api.close();
    await own.drop();
    rmSync(anchorDir, { recursive: true, force: true });
  });

  const verify = () => api.app.get(RowScope).allUsers(() => api.app.get(AuditVerifier).verify());

  /** `npm run audit:verify` on this suite's database: its exit code and what it printed. */
  const verifyCli = (env: NodeJS.ProcessEnv) =>
    run(
      process.execPath,
      [
        '-r',
        join(repoRoot(), 'test/support/register.js'),
        join(repoRoot(), 'apps/cli/src/audit-verify.ts'),
      ],
      { env: { ...process.env, ...baseTestEnv(), DATABASE_URL: own.url, ...env } },
    ).then(
      (out) => ({ code: 0, stdout: out.stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

  async function record(action: string, details: unknown = { n: 1 }) {
    const audit = api.app.get(AuditService);
    const txHost = api.app.get(TransactionHost);
    return txHost.withTransaction(() => audit.record(ACTOR, { action, details }));
  }

  it('refuses record() outside a transaction', async () => {
    await expect(api.app.get(AuditService).record(ACTOR, { action: 'x' })).rejects.toThrow(
      /inside the change's transaction/,
    );
  });

  it('keeps 20 concurrent admin actions in one gap-free chain with no fork', async () => {
    const admins = await Promise.all(Array.from({ length: 4 }, () => newAdmin(api)));
    const target = await newUser(api);
    const before = await api.db.query('SELECT count(*)::int AS n FROM audit_events');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api
          .http()
          .put(`/v1/admin/users/${target.id}/priority-tier`)
          .set(...bearer((admins[i % 4] as { accessToken: string }).accessToken))
          .send({
            priorityTier: (['high', 'normal', 'low'] as const)[i % 3],
            reason: `tier change ${i}`,
          }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const rows = (await api.db.query(
      'SELECT seq::int AS seq, prev_hash, hash FROM audit_events ORDER BY seq',
    )) as Array<{ seq: number; prev_hash: string; hash: string }>;
    expect(rows.length).toBe(before[0].n + 20);
    rows.forEach((row, index) => expect(row.seq).toBe(index + 1));
    // No fork: every prev_hash is used once, and is the hash of the row before.
    expect(new Set(rows.map((row) => row.prev_hash)).size).toBe(rows.length);
    for (let i = 1; i < rows.length; i += 1) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
    expect(await verify()).toMatchObject({ ok: true, firstBrokenSeq: null, events: rows.length });
  });

  it('keeps a reason of 500 emoji whole and the chain verifiable (clipped by character, not by UTF-16 unit)', async () => {
    const admin = await newAdmin(api);
    const target = await newUser(api);
    const reason = `a${'\u{1F600}'.repeat(499)}`;
    const res = await api
      .http()
      .put(`/v1/admin/users/${target.id}/priority-tier`)
      .set(...bearer(admin.accessToken))
      .send({ priorityTier: 'high', reason });
    expect(res.status).toBe(200);
    const [row] = (await api.db.query(
      `SELECT reason FROM audit_events WHERE target_id = $1 AND action = 'user.priority-tier'`,
      [target.id],
    )) as Array<{ reason: string }>;
    expect(row?.reason).toBe(reason);
    expect(await verify()).toMatchObject({ ok: true, firstBrokenSeq: null });
  });

  it('puts npm run admin:create on the record too, and records nothing for an admin already one', async () => {
    const email = `cli-admin-${Date.now()}@example.test`;
    const adminCreate = () =>
      run(
        process.execPath,
        [
          '-r',
          join(repoRoot(), 'test/support/register.js'),
          join(repoRoot(), 'apps/cli/src/admin-create.ts'),
          '--email',
          email,
          '--password',
          'cli-admin-password-1',
        ],
        { env: { ...process.env, ...baseTestEnv(), DATABASE_URL: own.url } },
      );
    await adminCreate();
    // Again: the account is an admin already, nothing changes and nothing is recorded.
    await adminCreate();
    const events = await api.db.query(
      `SELECT e.action, e.user_agent, e.after FROM audit_events e JOIN users u ON u.id::text = e.target_id
        WHERE u.email = $1`,
      [email],
    );
    expect(events).toEqual([
      { action: 'user.create-admin', user_agent: 'cli:admin-create', after: { role: 'admin' } },
    ]);
    expect((await verify()).ok).toBe(true);
  });

  it('refuses UPDATE, DELETE and TRUNCATE for the API role and for the superuser', async () => {
    await record('trigger.check');
    for (const statement of [
      `UPDATE audit_events SET reason = 'x' WHERE seq = 1`,
      `DELETE FROM audit_events WHERE seq = 1`,
      `TRUNCATE audit_events`,
    ]) {
      await expect(api.db.query(statement)).rejects.toThrow(/append-only|permission denied/);
      await expect(
        api.db.transaction(async (manager) => {
          await manager.query('SET LOCAL ROLE jewelshot_api');
          await manager.query(statement);
        }),
      ).rejects.toThrow(/append-only|permission denied/);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('writes a daily anchor once, and verify compares the chain with it', async () => {
    const anchors = api.app.get(AuditAnchors);
    const first = await anchors.anchor(new Date('2030-01-01T00:00:00Z'));
    expect(first).toMatchObject({
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await anchors.anchor(new Date('2030-01-01T12:00:00Z'))).toBeNull();
    expect(readdirSync(anchorDir)).toEqual(['audit-head-2030-01-01.json']);
    expect(await verify()).toMatchObject({ ok: true, anchors: 1 });
  });

  it('the worker anchors the head on its daily schedule when AUDIT_ANCHOR_DIR is set', async () => {
    await record('before.anchor');
    const dir = mkdtempSync(join(tmpdir(), 'jewelshot-worker-anchors-'));
    const anchorsIn = () => readdirSync(dir).filter((name) => /^audit-head-.*\.json$/.test(name));
    const worker = await createWorker(
      loadConfig({
        ...baseTestEnv(),
        DATABASE_URL: own.url,
        REDIS_KEY_PREFIX: suitePrefix('audit-anchor'),
        AUDIT_ANCHOR_DIR: dir,
      }),
    );
    try {
      // The schedule's first check is at start-up; wait for its file.
      for (let i = 0; i < 200 && anchorsIn().length === 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const files = anchorsIn();
      expect(files).toEqual([`audit-head-${new Date().toISOString().slice(0, 10)}.json`]);
      const [head] = await api.db.query(
        'SELECT seq::int AS seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
      );
      expect(JSON.parse(readFileSync(join(dir, files[0] as string), 'utf8'))).toMatchObject(head);
    } finally {
      await worker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds a consistent rewrite of the whole chain through the seals and the anchor', async () => {
    type Stored = { seq: number; reason: string | null; prev_hash: string; hash: string };
    const original = (await api.db.query(
      'SELECT seq::int AS seq, reason, prev_hash, hash FROM audit_events ORDER BY seq',
    )) as Stored[];
    const write = (rows: Stored[]) =>
      api.db.transaction(async (manager) => {
        await manager.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
        for (const row of rows)
          await manager.query(
            'UPDATE audit_events SET reason = $2, prev_hash = $3, hash = $4 WHERE seq = $1',
            [row.seq, row.reason, row.prev_hash, row.hash],
          );
        await manager.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
      });
    // Someone with superuser rights edits seq 1 and recomputes every hash after it.
    const events = await api.app
      .get(RowScope)
      .allUsers(() => api.app.get(AuditLog).list({}, 100_000));
    const inOrder = [...events.data].reverse();
    let prev = GENESIS_HASH;
    const forged: Stored[] = inOrder.map((event, index) => {
      const reason = index === 0 ? 'rewritten history' : event.reason;
      const fields = { ...event, reason, prevHash: prev };
      const hash = hashRow(fields);
      const row = { seq: event.seq, reason, prev_hash: prev, hash };
      prev = hash;
      return row;
    });
    await write(forged);
    try {
      const report = await verify();
      const [anchor] = await api.app.get(AuditAnchors).read();
      // Every recomputed hash is chained and matches its row, but none carries a valid seal:
      // the rewriter did not hold AUDIT_CHAIN_KEY. The anchor disagrees too.
      expect(report).toMatchObject({ ok: false, firstBrokenSeq: 1 });
      const sealBreaks = report.breaks.filter((b) => /no valid seal/.test(b.problem));
      expect(sealBreaks.map((b) => b.seq)).toEqual(
        forged.slice(0, MAX_BREAKS - 1).map((row) => row.seq),
      );
      expect(report.breaks.some((b) => /anchor/.test(b.problem) && b.seq === anchor?.seq)).toBe(
        true,
      );
      expect(report.breaks.some((b) => /changed|does not follow/.test(b.problem))).toBe(false);
    } finally {
      await write(original);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('says the anchors are lost when AUDIT_ANCHOR_DIR does not exist (gone, or a wrong path), not "0 anchors, OK"', async () => {
    await record('before.lost.anchors');
    const [{ last }] = await api.db.query('SELECT max(seq)::int AS last FROM audit_events');
    const result = await verifyCli({ AUDIT_ANCHOR_DIR: join(anchorDir, 'no-such-dir') });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `BROKEN at seq ${last + 1}: AUDIT_ANCHOR_DIR does not exist: the anchors are gone or the path is wrong`,
    );
    // The directory there, the same chain verifies.
    expect(await verifyCli({ AUDIT_ANCHOR_DIR: anchorDir })).toMatchObject({ code: 0 });
  });

  it('names the seq of a row edited with the trigger disabled, over HTTP and from the CLI', async () => {
    await record('tamper.target', { amount: 5 });
    const [{ seq }] = await api.db.query(
      `SELECT seq::int AS seq FROM audit_events WHERE action = 'tamper.target'`,
    );
    const admin = await newAdmin(api);
    await api.db.transaction(async (manager) => {
      await manager.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await manager.query(`UPDATE audit_events SET details = '{"amount": 500}' WHERE seq = $1`, [
        seq,
      ]);
      await manager.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
    const res = await api
      .http()
      .get('/v1/admin/audit/verify')
      .set(...bearer(admin.accessToken));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, firstBrokenSeq: seq });
    expect(res.body.problem).toMatch(/changed/);

    const result = await verifyCli({ AUDIT_ANCHOR_DIR: anchorDir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`BROKEN at seq ${seq}`);

    // Put it back (as the superuser again) for the next case.
    await api.db.transaction(async (manager) => {
      await manager.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await manager.query(`UPDATE audit_events SET details = '{"amount": 5}' WHERE seq = $1`, [
        seq,
      ]);
      await manager.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
    expect((await verify()).ok).toBe(true);
  });

  it('goes on past a break: a later edit is named too, not hidden by the first', async () => {
    await record('first.edited');
    await record('between');
    await record('second.edited');
    const rows = (await api.db.query(
      `SELECT seq::int AS seq, reason FROM audit_events
        WHERE action IN ('first.edited', 'second.edited') ORDER BY seq`,
    )) as Array<{ seq: number; reason: string | null }>;
    const edit = (reason: string | null, seq: number) =>
      api.db.transaction(async (manager) => {
        await manager.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
        await manager.query('UPDATE audit_events SET reason = $1 WHERE seq = $2', [reason, seq]);
        await manager.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
      });
    for (const row of rows) await edit('rewritten', row.seq);
    try {
      const report = await verify();
      expect(report).toMatchObject({ ok: false, firstBrokenSeq: rows[0]?.seq });
      expect(report.breaks).toEqual(
        rows.map((row) => ({
          seq: row.seq,
          problem: `seq ${row.seq} was changed after it was written`,
        })),
      );
    } finally {
      for (const row of rows) await edit(row.reason, row.seq);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('finds an event appended by someone without the chain key, though its hash is chained right', async () => {
    const [head] = (await api.db.query(
      'SELECT seq::int AS seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
    )) as Array<{ seq: number; hash: string }>;
    const fields = auditRow({
      seq: (head?.seq ?? 0) + 1,
      prevHash: head?.hash ?? GENESIS_HASH,
      actorEmail: 'forger@example.test',
      action: 'credits.adjust',
      targetId: 'someone',
      reason: 'looks legitimate',
    });
    const hash = hashRow(fields);
    // As the superuser (the append-only trigger lets an INSERT through): the hash is right, the
    // seal is made with a key of the forger's own.
    await api.db.query(
      `INSERT INTO audit_events (seq, occurred_at, actor_id, actor_email, action, target_type,
         target_id, outcome, reason, details, before, after, ip, user_agent, request_id,
         prev_hash, hash, seal)
       VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, NULL, NULL, NULL, $9, $10, $11)`,
      [
        fields.seq,
        fields.occurredAt,
        fields.actorEmail,
        fields.action,
        fields.targetType,
        fields.targetId,
        fields.outcome,
        fields.reason,
        fields.prevHash,
        hash,
        sealOf(hash, 'a-key-of-the-forgers-own-0123456789abcdef'),
      ],
    );
    try {
      const report = await verify();
      expect(report).toMatchObject({ ok: false, firstBrokenSeq: fields.seq });
      expect(report.problem).toMatch(/no valid seal/);
      expect(report.breaks).toHaveLength(1);

      // A verifier with another key than the one that sealed them finds no event sealed.
      const other = await verifyCli({
        AUDIT_CHAIN_KEY: 'not-the-key-that-sealed-these-0123456789',
      });
      expect(other.code).toBe(1);
      expect(other.stdout).toContain('BROKEN at seq 1');
    } finally {
      await api.db.transaction(async (manager) => {
        await manager.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
        await manager.query('DELETE FROM audit_events WHERE seq = $1', [fields.seq]);
        await manager.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
      });
    }
    expect((await verify()).ok).toBe(true);
  });

  it('names the gap a deleted row leaves', async () => {
    await record('delete.target');
    await record('after.deleted');
    const [{ seq }] = await api.db.query(
      `SELECT seq::int AS seq FROM audit_events WHERE action = 'delete.target'`,
    );
    await api.db.transaction(async (manager) => {
      await manager.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await manager.query('DELETE FROM audit_events WHERE seq = $1', [seq]);
      await manager.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: seq });
  });
});

/**
 * Changing AUDIT_CHAIN_KEY: the old key's events still verify through AUDIT_CHAIN_PREVIOUS_KEYS,
 * the change is on the record, and the old key can no longer end the chain. On a database of
 * its own: its chain ends under another key than the suite's.
 */
describe('the audit chain across a change of its key', () => {
  const OLD = 'the-old-audit-chain-key-that-leaked-0123456789';
  const NEW = 'the-new-audit-chain-key-after-the-leak-98765';
  let own: SuiteDatabase;
  const apps: TestApi[] = [];

  beforeAll(async () => {
    own = await suiteDatabase('audit_rotation');
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await own.drop();
  });

  const apiWith = async (env: NodeJS.ProcessEnv) => {
    const api = await startApi({ DATABASE_URL: own.url, ...env });
    apps.push(api);
    return api;
  };
  const recordOn = (api: TestApi, action: string) =>
    api.app
      .get(TransactionHost)
      .withTransaction(() => api.app.get(AuditService).record(ACTOR, { action }));
  const verifyOn = (api: TestApi) =>
    api.app.get(RowScope).allUsers(() => api.app.get(AuditVerifier).verify());
  type Stored = { seq: number; action: string; hash: string; seal: string };
  const chain = async (api: TestApi) =>
    (await api.db.query(
      'SELECT seq::int AS seq, action, hash, seal FROM audit_events ORDER BY seq',
    )) as Stored[];
  /** As the superuser past the append-only trigger. */
  const asSuperuser = (api: TestApi, sql: string, params: unknown[]) =>
    api.db.transaction(async (manager) => {
      await manager.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await manager.query(sql, params);
      await manager.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });

  it("verifies the old key's events, records the change, and refuses an end sealed with the old key", async () => {
    const before = await apiWith({ AUDIT_CHAIN_KEY: OLD });
    await recordOn(before, 'before.change');
    await recordOn(before, 'before.change');
    expect((await verifyOn(before)).ok).toBe(true);

    // Every process gets the new key, the old one moved to the previous keys. The worker hands
    // the chain to the new key as it starts.
    const env = { AUDIT_CHAIN_KEY: NEW, AUDIT_CHAIN_PREVIOUS_KEYS: OLD };
    const after = await apiWith(env);
    const worker = await createWorker(
      loadConfig({
        ...baseTestEnv(),
        DATABASE_URL: own.url,
        REDIS_KEY_PREFIX: suitePrefix('audit-rotation'),
        ...env,
      }),
    );
    await worker.close();
    await recordOn(after, 'after.change');
    const rows = await chain(after);
    expect(rows.map((row) => row.action)).toEqual([
      'before.change',
      'before.change',
      'audit.key_rotated',
      'after.change',
    ]);
    expect(rows.map((row) => (row.seal === sealOf(row.hash, NEW) ? 'new' : 'old'))).toEqual([
      'old',
      'old',
      'new',
      'new',
    ]);
    const [rotated] = await after.db.query(
      `SELECT actor_id, details FROM audit_events WHERE action = 'audit.key_rotated'`,
    );
    expect(rotated).toEqual({
      actor_id: null,
      details: { previousKey: chainKeyId(OLD), key: chainKeyId(NEW) },
    });
    expect(JSON.stringify(rotated)).not.toContain(OLD.slice(0, 12));
    // A second start finds the chain under the new key already: nothing more is written.
    expect(await after.app.get(AuditService).adoptKey()).toBe(false);
    expect(await verifyOn(after)).toMatchObject({ ok: true, events: 4 });

    // Without the previous key, the old events have no valid seal.
    const withoutOld = await apiWith({ AUDIT_CHAIN_KEY: NEW });
    expect(await verifyOn(withoutOld)).toMatchObject({ ok: false, firstBrokenSeq: 1 });

    // Whoever holds the leaked old key appends an event, correctly chained and sealed with it.
    const head = rows[rows.length - 1] as Stored;
    const forged = auditRow({
      seq: head.seq + 1,
      prevHash: head.hash,
      actorEmail: 'forger@example.test',
      action: 'credits.adjust',
      reason: 'sealed with the old key',
    });
    const hash = hashRow(forged);
    await asSuperuser(
      after,
      `INSERT INTO audit_events (seq, occurred_at, actor_email, action, target_type, target_id,
         outcome, reason, prev_hash, hash, seal)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        forged.seq,
        forged.occurredAt,
        forged.actorEmail,
        forged.action,
        forged.targetType,
        forged.targetId,
        forged.outcome,
        forged.reason,
        forged.prevHash,
        hash,
        sealOf(hash, OLD),
      ],
    );
    const appended = await verifyOn(after);
    expect(appended).toMatchObject({ ok: false, firstBrokenSeq: forged.seq });
    expect(appended.breaks.map((b) => b.problem)).toEqual([
      expect.stringMatching(/older key than an event before it/),
      expect.stringMatching(/last event, is sealed with a previous key/),
    ]);
    // The next change does not launder it: no second key change is recorded, and an event
    // sealed with the old key after one sealed with the new key stays a break.
    await recordOn(after, 'after.forgery');
    const laundered = await verifyOn(after);
    expect(laundered).toMatchObject({ ok: false, firstBrokenSeq: forged.seq });
    expect(laundered.problem).toMatch(/older key than an event before it/);
    expect((await chain(after)).filter((row) => row.action === 'audit.key_rotated')).toHaveLength(
      1,
    );
    await asSuperuser(after, 'DELETE FROM audit_events WHERE seq >= $1', [forged.seq]);
    expect(await verifyOn(after)).toMatchObject({ ok: true, events: 4 });

    // A process still on the old key alone (a rolling change of the key) appends nothing after
    // an event sealed with a key it does not hold: the change it was asked to record fails.
    await expect(recordOn(before, 'from.an.old.process')).rejects.toThrow(AuditChainAheadError);
    expect(await chain(after)).toHaveLength(4);

    // Cutting the chain back to where the old key still sealed it: its end gives it away. (Once
    // more events are appended after a cut, only anchors can tell, as for any cut of the end.)
    await asSuperuser(after, 'DELETE FROM audit_events WHERE seq > 2', []);
    const cut = await verifyOn(after);
    expect(cut).toMatchObject({ ok: false, firstBrokenSeq: 2, events: 2 });
    expect(cut.problem).toMatch(/last event, is sealed with a previous key/);
  });

  it('refuses a previous key that is short or the current key itself, and a key with a comma', () => {
    expect(() =>
      loadConfig({ ...baseTestEnv(), AUDIT_CHAIN_KEY: NEW, AUDIT_CHAIN_PREVIOUS_KEYS: 'short' }),
    ).toThrow(/AUDIT_CHAIN_PREVIOUS_KEYS: each key must be at least 32 characters/);
    expect(() =>
      loadConfig({
        ...baseTestEnv(),
        AUDIT_CHAIN_KEY: NEW,
        AUDIT_CHAIN_PREVIOUS_KEYS: `${OLD}, ${NEW}`,
      }),
    ).toThrow(/AUDIT_CHAIN_PREVIOUS_KEYS: must not hold AUDIT_CHAIN_KEY itself/);
    expect(() =>
      loadConfig({ ...baseTestEnv(), AUDIT_CHAIN_KEY: `${NEW},and-more-after-a-comma` }),
    ).toThrow(/AUDIT_CHAIN_KEY: must hold no comma/);
  });
});
