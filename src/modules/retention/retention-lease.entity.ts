import { Entity, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/**
 * One row per center: the node whose conditional update moves `leaseUntil` past the database's
 * now runs that center's retention sweep; every other node's update matches no row and does nothing.
 */
@Entity('retention_leases')
export class RetentionLease {
  @PrimaryColumn({ name: 'center_id', type: 'varchar', length: 36 })
  centerId!: string;

  @DateColumn({ name: 'lease_until' })
  leaseUntil!: Date;

  /** A random id of the sweep that holds the lease (for the logs; the update decides). */
  @UuidColumn({ nullable: true })
  holder!: string | null;

  @DateColumn({ name: 'last_run_at', nullable: true })
  lastRunAt!: Date | null;
}
