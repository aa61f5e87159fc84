import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The price list; a hold snapshots the price at reservation time. */
@Entity({ name: 'operation_prices' })
@Check('operation_prices_credits_check', `"credits" > 0`)
export class OperationPrice {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'operation_prices_pkey' })
  operation!: string;

  @Column({ type: 'integer' })
  credits!: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
