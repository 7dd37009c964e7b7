import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/** Why a client got their counselor. */
export type ClientCounselorReason = 'booking' | 'crisis' | 'admin';

/**
 * "Their counselor": the one counselor a registered client belongs to before (or besides) any
 * thread — set when the client books a slot and has none yet, when a crisis contact takes a new
 * client, or by the admin. One row per client (unique), so two nodes assigning at once leave one.
 * No content: ids and a time.
 */
@Entity('client_counselors')
@Index('uq_client_counselors_client', ['centerId', 'clientId'], { unique: true })
@Index('ix_client_counselors_counselor', ['centerId', 'counselorId'])
export class ClientCounselor {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'client_id' })
  clientId!: string;

  @UuidColumn({ name: 'counselor_id' })
  counselorId!: string;

  @Column({ type: 'varchar', length: 16 })
  reason!: ClientCounselorReason;

  @DateColumn({ name: 'assigned_at' })
  assignedAt!: Date;
}
