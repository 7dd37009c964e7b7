import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/**
 * A visitor a counselor blocked ("end and block", or removed from the queue with a block): the
 * visitor id (its tokens are revoked as well) and the HMAC of its address, until `expiresAt`.
 */
@Entity('visitor_blocks')
@Index('uq_visitor_blocks_visitor', ['centerId', 'visitorId'], { unique: true })
@Index('ix_visitor_blocks_address', ['centerId', 'addressHash'])
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

  @Column({ name: 'address_hash', type: 'varchar', length: 32, nullable: true })
  addressHash!: string | null;

  /** null: blocks from before expiry existed (they hold until removed). */
  @DateColumn({ name: 'expires_at', nullable: true })
  expiresAt!: Date | null;
}
