import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { UuidColumn } from '../../infra/database/columns';

/**
 * Uploads per account and day (the center's calendar day): raised by a conditional update in the
 * upload's transaction, so two nodes cannot both take the last one, and undone by its rollback.
 */
@Entity('document_quotas')
@Index('uq_document_quotas_account_day', ['accountId', 'day'], { unique: true })
@Index('ix_document_quotas_day', ['day'])
export class DocumentQuota {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'account_id' })
  accountId!: string;

  /** `YYYY-MM-DD` in the center's time zone. */
  @Column({ type: 'varchar', length: 10 })
  day!: string;

  @Column({ type: 'int', default: 0 })
  uploads!: number;

  @Column({ type: 'int', default: 0 })
  bytes!: number;
}
