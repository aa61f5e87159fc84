import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * An integrator's receiver: its URL, the event types it wants, and its signing secret(s),
 * encrypted at rest (secret-box.ts). During a rotation the previous secret keeps signing
 * alongside the new one until `previousSecretExpiresAt`. `failingSince` is the start of an
 * unbroken run of failed deliveries; a success clears it.
 */
@Entity({ name: 'webhook_endpoints' })
@Index('webhook_endpoints_user', ['userId', 'createdAt'])
export class WebhookEndpoint {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'webhook_endpoints_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'varchar', length: 500, default: '' })
  description!: string;

  @Column({ type: 'varchar', length: 40, array: true })
  events!: string[];

  @Column({ type: 'text' })
  secret!: string;

  @Column({ type: 'text', nullable: true })
  previousSecret!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
