import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SignalName } from '../signals';

/** A user's latest reading of one signal (recomputed from the observations on each event). */
@Entity({ name: 'abuse_signals' })
export class AbuseSignal {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'abuse_signals_pkey' })
  userId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'abuse_signals_pkey' })
  signal!: SignalName;

  @Column({ type: 'smallint' })
  value!: number;

  @Column({ type: 'varchar', length: 300 })
  reason!: string;

  @Column({ type: 'jsonb' })
  evidence!: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
