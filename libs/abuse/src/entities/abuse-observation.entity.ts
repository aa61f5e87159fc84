import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const OBSERVATION_KINDS = [
  'registered',
  'logged-in',
  'job',
  'batch',
  'signup-grant',
  'email-verified',
] as const;
export type ObservationKind = (typeof OBSERVATION_KINDS)[number];

/**
 * What the abuse lib saw, one row per domain event, keyed by the event's id: a redelivered
 * event finds its row and changes nothing (the signals are counted from these rows, so none is
 * counted twice). Only hashes of prompts, never prompts.
 */
@Entity({ name: 'abuse_observations' })
@Check(
  'abuse_observations_kind_check',
  `"kind" IN ('registered', 'logged-in', 'job', 'batch', 'signup-grant', 'email-verified')`,
)
@Index('abuse_observations_user_kind', ['userId', 'kind', 'occurredAt'])
@Index('abuse_observations_address', ['address', 'occurredAt'])
@Index('abuse_observations_network', ['network', 'occurredAt'])
@Index('abuse_observations_device', ['deviceId', 'occurredAt'])
export class AbuseObservation {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'abuse_observations_pkey' })
  eventId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: ObservationKind;

  @Column({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'inet', nullable: true })
  address!: string | null;

  /** The address's /24 (IPv4) or /64 (IPv6). */
  @Column({ type: 'cidr', nullable: true })
  network!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  deviceId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  operation!: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  promptHash!: string | null;

  /** Credits of a sign-up grant; items of a batch. */
  @Column({ type: 'integer', nullable: true })
  amount!: number | null;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;
}
