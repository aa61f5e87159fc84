import { Check, Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';

export const AUDIT_OUTCOMES = ['succeeded', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * JSON of what changed or what was asked: plain JSON values only (auditJson() makes them so).
 * Typed `unknown` rather than a recursive JSON type, which TypeORM's deep types cannot take.
 */
export type AuditJson = unknown;

/** seq is a bigint; a chain stays far below 2^53 events. */
const seqAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * One event of the audit log. Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE for
 * every role), gap-free by `seq`, and chained: `hash` is SHA-256 over the canonical encoding of
 * the row and `prev_hash`, the hash of the row before it (audit-hash.ts).
 */
@Entity({ name: 'audit_events' })
@Index('audit_events_actor_id_idx', ['actorId', 'seq'])
@Index('audit_events_target_id_idx', ['targetId', 'seq'])
@Index('audit_events_occurred_at_idx', ['occurredAt'])
@Index('audit_events_request_id_idx', ['requestId', 'seq'])
// The admin's audit list filtered by action, newest first.
@Index('audit_events_action_seq_idx', ['action', 'seq'])
@Check('audit_events_outcome_check', `"outcome" IN ('succeeded', 'denied', 'failed')`)
@Check('audit_events_seq_check', `"seq" >= 1`)
export class AuditEvent {
  @PrimaryColumn({
    type: 'bigint',
    primaryKeyConstraintName: 'audit_events_pkey',
    transformer: seqAsNumber,
  })
  seq!: number;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  /** Who acted: a user id, stored as a plain value (no relation: audit stands below identity). */
  @Column({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  actorEmail!: string | null;

  /** What was done, e.g. `user.ban`. */
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  targetType!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  targetId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome!: AuditOutcome;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  /** Anything else worth keeping (the route, the error of a failed change, a choice made). */
  @Column({ type: 'jsonb', nullable: true })
  details!: AuditJson;

  @Column({ type: 'jsonb', nullable: true })
  before!: AuditJson;

  @Column({ type: 'jsonb', nullable: true })
  after!: AuditJson;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  @Column({ type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  /** HMAC-SHA256 over `hash` with AUDIT_CHAIN_KEY (not in the hash: it seals it). */
  @Column({ type: 'varchar', length: 64 })
  seal!: string;
}
