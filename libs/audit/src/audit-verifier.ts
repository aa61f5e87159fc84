import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import type { AuditJson, AuditOutcome } from './audit-event.entity';
import { AuditAnchors, type Anchor } from './audit-anchors';
import { GENESIS_HASH, hashRow, sealHolds, type HashedFields } from './audit-hash';
import { AUDIT_CONFIG, previousChainKeys, type AuditConfig } from './audit.config';

export interface AuditBreak {
  seq: number;
  problem: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Events read. */
  events: number;
  /** The first seq where the chain is broken (missing, edited, out of order, or not the anchored one). */
  firstBrokenSeq: number | null;
  /** What is wrong there, in words. */
  problem: string | null;
  /**
   * Every break found, in seq order (the first MAX_BREAKS): the walk goes on past a break, so
   * one broken row does not hide a later edit.
   */
  breaks: AuditBreak[];
  /** Anchors compared with the chain (0 when AUDIT_ANCHOR_DIR is not set). */
  anchors: number;
}

/** Breaks listed at most: past these, the chain is to be investigated, not read on. */
export const MAX_BREAKS = 100;

interface Row {
  seq: string;
  occurred_at: Date;
  actor_id: string | null;
  actor_email: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  details: AuditJson;
  before: AuditJson;
  after: AuditJson;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
  seal: string | null;
}

const BATCH = 5000;

/**
 * Walks the chain in seq order, recomputes every hash and checks every seal (under
 * AUDIT_CHAIN_KEY or a previous key, never an older key after a newer one, the last event under
 * AUDIT_CHAIN_KEY): a row edited,
 * deleted or inserted out of order (by someone past the append-only trigger: a database
 * superuser) breaks the chain at that seq, and a row whose hash was recomputed to hide it (or
 * the whole chain rewritten so) has no valid seal without AUDIT_CHAIN_KEY. The anchors written
 * elsewhere catch what neither can: rows deleted from the end.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly anchors: AuditAnchors,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {}

  async verify(): Promise<AuditVerification> {
    // Oldest first, the current key last: a key once used is never followed by an older one.
    const keys = [...previousChainKeys(this.config), this.config.AUDIT_CHAIN_KEY];
    const current = keys.length - 1;
    /** The index in `keys` of the key `row` is sealed with (the current one tried first), or -1. */
    const keyOf = (row: Row): number => {
      if (sealHolds(row.hash, row.seal, this.config.AUDIT_CHAIN_KEY)) return current;
      return keys.findIndex((key) => sealHolds(row.hash, row.seal, key));
    };
    let newestKey = -1;
    let lastKey = -1;
    const anchors = await this.anchors.read();
    const anchorsLost = await this.anchors.directoryMissing();
    const bySeq = new Map<number, Anchor>(anchors.map((anchor) => [anchor.seq, anchor]));
    let events = 0;
    let expected = 1;
    let prevHash = GENESIS_HASH;
    const breaks: AuditBreak[] = [];
    const broken = (seq: number, problem: string) => {
      if (breaks.length < MAX_BREAKS) breaks.push({ seq, problem });
    };
    let from = 1;
    for (;;) {
      const rows = (await this.txHost.tx.query(
        `SELECT * FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT ${BATCH}`,
        [from],
      )) as Row[];
      for (const row of rows) {
        events += 1;
        const seq = Number(row.seq);
        // Each row is checked on its own against the one before it: after a break the walk
        // goes on from the row as stored, so a later edit is found too.
        if (seq !== expected) broken(expected, `seq ${expected} is missing (next is ${seq})`);
        else if (row.prev_hash !== prevHash)
          broken(seq, `seq ${seq} does not follow the hash of seq ${seq - 1}`);
        const changed = hashRow(fieldsOf(row)) !== row.hash;
        lastKey = changed ? -1 : keyOf(row);
        if (changed) broken(seq, `seq ${seq} was changed after it was written`);
        else if (lastKey === -1)
          broken(seq, `seq ${seq} has no valid seal: written or rewritten without the chain key`);
        else if (lastKey < newestKey)
          broken(
            seq,
            `seq ${seq} is sealed with an older key than an event before it: written with a key the chain had moved on from`,
          );
        newestKey = Math.max(newestKey, lastKey);
        const anchor = bySeq.get(seq);
        if (anchor && anchor.hash !== row.hash)
          broken(seq, `seq ${seq} differs from the anchor of ${anchor.anchoredAt}`);
        prevHash = row.hash;
        expected = seq + 1;
      }
      if (rows.length < BATCH) break;
      from = expected;
    }
    const last = expected - 1;
    // Old keys verify the events they sealed, but never the end of the chain: whoever holds
    // only an old key (one that leaked, and was changed for it) can neither append nor rewrite
    // the chain to its end so that it verifies.
    if (lastKey !== -1 && lastKey < current)
      broken(
        last,
        `seq ${last}, the last event, is sealed with a previous key, not AUDIT_CHAIN_KEY: appended with an old key, or no API or worker has run with the new one since it changed`,
      );
    const beyond = anchors.find((anchor) => anchor.seq > last);
    if (beyond)
      broken(
        last + 1,
        `the anchor of ${beyond.anchoredAt} names seq ${beyond.seq}, but the chain ends at ${last}`,
      );
    // Without its anchors a cut end leaves every remaining seal valid: a directory gone (or a
    // path mistyped) is said, not taken for "no anchors yet" (the anchoring schedule's first
    // run makes it, chain or not).
    if (anchorsLost && events > 0)
      broken(
        last + 1,
        'AUDIT_ANCHOR_DIR does not exist: the anchors are gone or the path is wrong, so a cut end of the chain cannot be found',
      );
    const [first] = breaks;
    return {
      ok: first === undefined,
      events,
      firstBrokenSeq: first?.seq ?? null,
      problem: first?.problem ?? null,
      breaks,
      anchors: anchors.length,
    };
  }
}

function fieldsOf(row: Row): HashedFields {
  return {
    seq: Number(row.seq),
    occurredAt: row.occurred_at,
    actorId: row.actor_id,
    actorEmail: row.actor_email,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    outcome: row.outcome,
    reason: row.reason,
    details: row.details,
    before: row.before,
    after: row.after,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    prevHash: row.prev_hash,
  };
}
