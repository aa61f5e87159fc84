import { Inject, Injectable, Logger } from '@nestjs/common';
import { Propagation, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AuditEvent, type AuditOutcome } from './audit-event.entity';
import {
  auditJson,
  chainKeyId,
  GENESIS_HASH,
  hashRow,
  sealHolds,
  sealOf,
  type HashedFields,
} from './audit-hash';
import { AUDIT_CONFIG, previousChainKeys, type AuditConfig } from './audit.config';
import { AuditChainAheadError } from './audit.errors';

/** Who acted and from where: what the HTTP layer knows of the request. */
export interface AuditActor {
  actorId: string | null;
  actorEmail: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface AuditRecord {
  action: string;
  outcome?: AuditOutcome;
  targetType?: string | null;
  targetId?: string | null;
  reason?: string | null;
  details?: unknown;
  before?: unknown;
  after?: unknown;
}

/**
 * Every append to the chain takes this transaction-scoped advisory lock first: appends are
 * serialised, so two admins never read the same head and fork the chain, and the lock is
 * released when the change's transaction ends (commit or rollback).
 */
const APPEND_LOCK = 0x6a7361756469; // 'jsaudi'

/** The chain's last event, as an append needs it. */
interface Head {
  seq: string;
  hash: string;
  seal: string | null;
}

/** Who records a change of the chain's key: the system, not a person. */
const SYSTEM: AuditActor = {
  actorId: null,
  actorEmail: null,
  ip: null,
  userAgent: null,
  requestId: null,
};

function jsonOrNull(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

/**
 * At most `max` characters, counted as PostgreSQL counts a varchar's: by code point. Cut by
 * UTF-16 unit, an emoji at the edge would be halved, stored as U+FFFD and hashed as the half:
 * a row that could never verify.
 */
function clip(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  if (value.length <= max) return value;
  return Array.from(value).slice(0, max).join('');
}

/**
 * Appends audit events. `record` writes in the caller's transaction, so the event and the change
 * it records commit together or not at all; `recordApart` commits on its own, for what must stay
 * on the record although the caller's work did not happen (a refused call, a failed change).
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {}

  /** Appends one event inside the caller's transaction (outside one it is a programming error). */
  async record(actor: AuditActor, record: AuditRecord): Promise<AuditEvent> {
    if (!this.txHost.isTransactionActive())
      throw new Error(`audit.record(${record.action}) must run inside the change's transaction`);
    return this.append(actor, record);
  }

  /** Appends one event in a transaction of its own, whatever happens to the caller's. */
  recordApart(actor: AuditActor, record: AuditRecord): Promise<AuditEvent> {
    return this.txHost.withTransaction(Propagation.RequiresNew, () => this.append(actor, record));
  }

  /**
   * Takes the chain's append lock in the caller's transaction, ahead of its `record`: for a
   * change whose effect cannot roll back with the transaction (a Redis call), taken before that
   * effect, so the record that follows it never waits for another append.
   */
  async holdChain(): Promise<void> {
    if (!this.txHost.isTransactionActive())
      throw new Error("audit.holdChain() must run inside the change's transaction");
    await this.lockChain();
  }

  private async lockChain(): Promise<void> {
    await this.txHost.tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPEND_LOCK]);
  }

  /**
   * Records a change of the chain's key, if the chain's last event was sealed with one of
   * AUDIT_CHAIN_PREVIOUS_KEYS: the worker does it as it starts, so that the chain ends under the
   * current key (as the verifier requires) before anyone's next change. Whether it wrote one.
   */
  adoptKey(): Promise<boolean> {
    return this.txHost.withTransaction(Propagation.RequiresNew, async () => {
      await this.lockChain();
      const head = await this.head();
      return (await this.recordKeyChange(head)) !== head;
    });
  }

  private async head(): Promise<Head | undefined> {
    const [head] = (await this.txHost.tx.query(
      'SELECT seq, hash, seal FROM audit_events ORDER BY seq DESC LIMIT 1',
    )) as Head[];
    return head;
  }

  /**
   * What an append after `head` needs first. Sealed with AUDIT_CHAIN_KEY: nothing. Sealed with
   * a previous key: `audit.key_rotated`, unless the chain has been handed to this key already
   * (an old-key event after that is a forgery the verifier names; no second change is
   * recorded). Sealed with no key this process holds: nothing may follow it (AuditChainAheadError).
   * The chain's head after it.
   */
  private async recordKeyChange(head: Head | undefined): Promise<Head | undefined> {
    const key = this.config.AUDIT_CHAIN_KEY;
    if (!head || sealHolds(head.hash, head.seal, key)) return head;
    const previous = previousChainKeys(this.config).find((old) =>
      sealHolds(head.hash, head.seal, old),
    );
    if (previous === undefined) {
      this.logger.error(
        { seq: head.seq },
        'the audit chain ends with an event sealed with no key this process holds (a newer AUDIT_CHAIN_KEY, or a forgery): nothing is appended after it',
      );
      throw new AuditChainAheadError();
    }
    const [handed] = (await this.txHost.tx.query(
      `SELECT seq FROM audit_events WHERE action = 'audit.key_rotated' AND details->>'key' = $1 LIMIT 1`,
      [chainKeyId(key)],
    )) as Array<{ seq: string }>;
    if (handed) {
      this.logger.error(
        { seq: head.seq, handedAt: handed.seq },
        'the audit chain ends with an event sealed with a previous key after it was handed to the current one',
      );
      return head;
    }
    const rotated = await this.appendAfter(head, SYSTEM, {
      action: 'audit.key_rotated',
      targetType: 'audit',
      reason: 'The chain is sealed with a new key from here on',
      details: { previousKey: chainKeyId(previous), key: chainKeyId(key) },
    });
    this.logger.log(
      `audit chain: sealed with key ${chainKeyId(key)} from seq ${rotated.seq} (was ${chainKeyId(previous)})`,
    );
    return { seq: String(rotated.seq), hash: rotated.hash, seal: rotated.seal };
  }

  private async append(actor: AuditActor, record: AuditRecord): Promise<AuditEvent> {
    await this.lockChain();
    const head = await this.recordKeyChange(await this.head());
    return this.appendAfter(head, actor, record);
  }

  private async appendAfter(
    head: Head | undefined,
    actor: AuditActor,
    record: AuditRecord,
  ): Promise<AuditEvent> {
    const tx = this.txHost.tx;
    const fields: HashedFields = {
      seq: head ? Number(head.seq) + 1 : 1,
      occurredAt: new Date(),
      actorId: actor.actorId,
      actorEmail: clip(actor.actorEmail, 254),
      action: clip(record.action, 64) ?? '',
      targetType: clip(record.targetType, 32),
      targetId: clip(record.targetId, 64),
      outcome: record.outcome ?? 'succeeded',
      reason: clip(record.reason, 500),
      details: auditJson(record.details),
      before: auditJson(record.before),
      after: auditJson(record.after),
      ip: clip(actor.ip, 64),
      userAgent: clip(actor.userAgent, 500),
      requestId: clip(actor.requestId, 128),
      prevHash: head ? head.hash : GENESIS_HASH,
    };
    const hash = hashRow(fields);
    const event = Object.assign(new AuditEvent(), fields, {
      hash,
      seal: sealOf(hash, this.config.AUDIT_CHAIN_KEY),
    });
    // Plain SQL: one statement, and the API's role needs no RETURNING.
    await tx.query(
      `INSERT INTO audit_events (seq, occurred_at, actor_id, actor_email, action, target_type,
         target_id, outcome, reason, details, before, after, ip, user_agent, request_id,
         prev_hash, hash, seal)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb, $13, $14,
         $15, $16, $17, $18)`,
      [
        event.seq,
        event.occurredAt,
        event.actorId,
        event.actorEmail,
        event.action,
        event.targetType,
        event.targetId,
        event.outcome,
        event.reason,
        jsonOrNull(event.details),
        jsonOrNull(event.before),
        jsonOrNull(event.after),
        event.ip,
        event.userAgent,
        event.requestId,
        event.prevHash,
        event.hash,
        event.seal,
      ],
    );
    return event;
  }
}
