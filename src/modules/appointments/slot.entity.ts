import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';
import type { AppointmentForm } from '../../realtime/contract';

export type SlotStatus = 'free' | 'booked';

/**
 * A time a counselor offers for an appointment, in the forms they name. Booking turns it `booked`
 * by one conditional update (so of two clients at once exactly one gets it); cancelling a future
 * appointment frees it again. No content: ids and times.
 */
@Entity('slots')
@Index('ix_slots_counselor_starts', ['centerId', 'counselorId', 'startsAt'])
@Index('ix_slots_center_status_starts', ['centerId', 'status', 'startsAt'])
export class Slot {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'counselor_id' })
  counselorId!: string;

  @DateColumn({ name: 'starts_at' })
  startsAt!: Date;

  @DateColumn({ name: 'ends_at' })
  endsAt!: Date;

  @Column({ type: 'simple-json', nullable: true })
  forms!: AppointmentForm[];

  /** The weekly series it was created in (the id of its first slot), or null for a single slot. */
  @UuidColumn({ name: 'series_id', nullable: true })
  seriesId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: SlotStatus;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
