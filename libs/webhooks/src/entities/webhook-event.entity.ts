import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One announcement to a user's endpoints: its `id` is the `webhook-id` header, the same on every
 * attempt and retry. `endpointIds` are the endpoints it was fanned out to when it was recorded.
 * Job events are rebuilt from the job at each attempt (fresh signed links); `data` is the rest.
 */
@Entity({ name: 'webhook_events' })
@Index('webhook_events_user', ['userId', 'createdAt'])
export class WebhookEvent {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'webhook_events_pkey' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: string;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ type: 'uuid', array: true })
  endpointIds!: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
