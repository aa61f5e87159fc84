import type { Client, Pool } from 'pg';
import { GENESIS_HASH, hashRow, sealOf, type AuditEvent } from '@jewelshot/audit';

/** The fields an event's hash covers, but its place in the chain (seq, previous hash). */
export type ChainedFields = Omit<AuditEvent, 'hash' | 'seal' | 'seq' | 'prevHash'>;

/** The chain's last event when the bench starts appending (none: an empty chain). */
export interface ChainHead {
  seq: number;
  hash: string;
  occurredAt: Date;
  actorId: string | null;
  actorEmail: string | null;
}

const COLUMNS = [
  'seq',
  'occurred_at',
  'actor_id',
  'actor_email',
  'action',
  'target_type',
  'target_id',
  'outcome',
  'reason',
  'details',
  'before',
  'after',
  'ip',
  'user_agent',
  'request_id',
  'prev_hash',
  'hash',
  'seal',
];

/**
 * Extends the audit chain to `untilSeq` events in bulk, 1,000 rows a statement, each hashed and
 * sealed with `key` as AuditService does (so the verifier, and the API's check of the head
 * before it appends, take them as its own): `fieldsOf` gives each new event's fields.
 */
export async function extendAuditChain(
  db: Pool | Client,
  untilSeq: number,
  key: string,
  fieldsOf: (seq: number, head: ChainHead | undefined) => ChainedFields,
): Promise<void> {
  const {
    rows: [head],
  } = await db.query<ChainHead>(
    `SELECT seq::int AS seq, hash, occurred_at AS "occurredAt", actor_id AS "actorId",
            actor_email AS "actorEmail"
       FROM audit_events ORDER BY seq DESC LIMIT 1`,
  );
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  while (seq < untilSeq) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let i = 0; i < 1000 && seq < untilSeq; i += 1) {
      seq += 1;
      const fields = { ...fieldsOf(seq, head), seq, prevHash };
      const hash = hashRow(fields);
      const base = values.length;
      tuples.push(`(${COLUMNS.map((_, k) => `$${base + k + 1}`).join(',')})`);
      values.push(
        fields.seq,
        fields.occurredAt,
        fields.actorId,
        fields.actorEmail,
        fields.action,
        fields.targetType,
        fields.targetId,
        fields.outcome,
        fields.reason,
        fields.details === null ? null : JSON.stringify(fields.details),
        fields.before === null ? null : JSON.stringify(fields.before),
        fields.after === null ? null : JSON.stringify(fields.after),
        fields.ip,
        fields.userAgent,
        fields.requestId,
        prevHash,
        hash,
        sealOf(hash, key),
      );
      prevHash = hash;
    }
    await db.query(
      `INSERT INTO audit_events (${COLUMNS.join(', ')}) VALUES ${tuples.join(',')}`,
      values,
    );
  }
}
