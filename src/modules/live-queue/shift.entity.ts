import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/** A counselor's shift. `openKey` holds the counselor id while open: a unique index allows one open shift each. */
@Entity('shifts')
@Index('ix_shifts_center', ['centerId'])
@Index('uq_shifts_open_key', ['openKey'], { unique: true })
export class Shift {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'counselor_id' })
  counselorId!: string;

  @Column({ name: 'max_chats', type: 'int' })
  maxChats!: number;

  @UuidColumn({ name: 'open_key', nullable: true })
  openKey!: string | null;

  @DateColumn({ name: 'opened_at' })
  openedAt!: Date;

  @DateColumn({ name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  /** Set (database time) when the counselor's last socket went away; the sweep closes the shift after it. */
  @DateColumn({ name: 'grace_until', nullable: true })
  graceUntil!: Date | null;

  @Column({ name: 'close_reason', type: 'varchar', length: 16, nullable: true })
  closeReason!: string | null;
}
