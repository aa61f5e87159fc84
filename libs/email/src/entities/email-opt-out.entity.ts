import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One type of mail a user turned off (absent: the type is on). Security mail never has a row. */
@Entity({ name: 'email_opt_outs' })
export class EmailOptOut {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'email_opt_outs_pkey' })
  userId!: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'email_opt_outs_pkey' })
  type!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
