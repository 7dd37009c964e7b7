import { Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/** A visitor id a counselor blocked with "end and block" (its tokens are revoked as well). */
@Entity('visitor_blocks')
@Index('uq_visitor_blocks_visitor', ['centerId', 'visitorId'], { unique: true })
export class VisitorBlock {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'visitor_id' })
  visitorId!: string;

  @UuidColumn({ name: 'blocked_by' })
  blockedBy!: string;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
