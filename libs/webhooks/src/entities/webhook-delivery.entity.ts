import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export const DELIVERY_STATUSES = ['succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One attempt to deliver one event to one endpoint: what the receiver answered, and when. */
@Entity({ name: 'webhook_deliveries' })
@Index('webhook_deliveries_endpoint', ['endpointId', 'createdAt'])
// Attempt numbers are unique per (event, endpoint); the index also finds an event's deliveries.
@Index('webhook_deliveries_attempt_key', ['eventId', 'endpointId', 'attempt'], { unique: true })
export class WebhookDelivery {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'webhook_deliveries_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  eventId!: string;

  @Column({ type: 'uuid' })
  endpointId!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  /** 1 for the first attempt; a manual retry continues the count. */
  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: DeliveryStatus;

  @Column({ type: 'integer', nullable: true })
  responseStatus!: number | null;

  /** The receiver's answer, cut to 1,000 characters. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  responseBody!: string | null;

  /** Why no answer counted (timeout, refused address, connection error). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column({ type: 'integer' })
  durationMs!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
