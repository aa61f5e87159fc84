import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEvent, AuditJson } from './audit-event.entity';

/** The prev_hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields the hash covers: every column but the hash itself and its seal. */
export type HashedFields = Omit<AuditEvent, 'hash' | 'seal'>;

/**
 * JSON with object keys sorted at every depth and no insignificant whitespace: the same value
 * always encodes to the same bytes, whatever order PostgreSQL's jsonb hands its keys back in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const encoded = JSON.stringify(value);
    return encoded === undefined ? 'null' : encoded;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** The canonical encoding of a row, its previous hash included. */
export function canonicalRow(row: HashedFields): string {
  return canonicalJson({
    seq: row.seq,
    occurredAt: row.occurredAt.toISOString(),
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    outcome: row.outcome,
    reason: row.reason,
    details: row.details,
    before: row.before,
    after: row.after,
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    prevHash: row.prevHash,
  });
}

export function hashRow(row: HashedFields): string {
  return createHash('sha256').update(canonicalRow(row)).digest('hex');
}

/**
 * An event's seal: HMAC-SHA256 over its hash with AUDIT_CHAIN_KEY. The hash chain alone shows an
 * edit only to someone who cannot recompute it; anyone with write access to the database can.
 * The seal needs the key, which the database does not hold.
 */
export function sealOf(hash: string, key: string): string {
  return createHmac('sha256', key).update(hash).digest('hex');
}

/**
 * A key's public name: the first 16 hex digits of a SHA-256 over it (it cannot be turned back
 * into the key), to say in the record which key sealed what.
 */
export function chainKeyId(key: string): string {
  return createHash('sha256').update(`jewelshot-audit-chain-key:${key}`).digest('hex').slice(0, 16);
}

/** Whether `seal` is the seal of `hash` under `key` (compared in constant time). */
export function sealHolds(hash: string, seal: string | null, key: string): boolean {
  if (seal === null || !/^[0-9a-f]{64}$/.test(seal)) return false;
  return timingSafeEqual(Buffer.from(sealOf(hash, key), 'hex'), Buffer.from(seal, 'hex'));
}

/** Keys whose values never go into the log, at any depth. */
const SECRET_KEY = /pass(word)?|secret|token|hash|api[-_]?key|authorization|cookie/i;

/**
 * What a JSON column will hold: plain JSON (dates as ISO strings, undefined dropped), with every
 * secret-looking key removed, and exactly what jsonb will give back (so the hash computed now
 * matches the one the verifier computes from the stored row).
 */
export function auditJson(value: unknown): AuditJson {
  if (value === undefined) return null;
  const plain = JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
  return withoutSecrets(plain);
}

function withoutSecrets(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withoutSecrets);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    if (!SECRET_KEY.test(key)) out[key] = withoutSecrets(item);
  return out;
}
