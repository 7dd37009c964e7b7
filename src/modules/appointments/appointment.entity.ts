import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';
import type { AppointmentForm, AppointmentStatus } from '../../realtime/contract';

/**
 * A booked slot: who meets whom, when and in which form. Times are copied from the slot (the slot
 * may be freed and booked again after a cancellation). No content: ids, times and the form.
 * Deleted 30 days after its end, and with either account.
 */
@Entity('appointments')
@Index('ix_appointments_client', ['centerId', 'clientId', 'startsAt'])
@Index('ix_appointments_counselor', ['centerId', 'counselorId', 'startsAt'])
@Index('ix_appointments_slot', ['centerId', 'slotId'])
@Index('ix_appointments_center_ends', ['centerId', 'endsAt'])
export class Appointment {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'slot_id' })
  slotId!: string;

  @UuidColumn({ name: 'counselor_id' })
  counselorId!: string;

  @UuidColumn({ name: 'client_id' })
  clientId!: string;

  @Column({ type: 'varchar', length: 16 })
  form!: AppointmentForm;

  @DateColumn({ name: 'starts_at' })
  startsAt!: Date;

  @DateColumn({ name: 'ends_at' })
  endsAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  status!: AppointmentStatus;

  @Column({ name: 'cancelled_by', type: 'varchar', length: 16, nullable: true })
  cancelledBy!: 'client' | 'counselor' | null;

  @UuidColumn({ name: 'video_room_id', nullable: true })
  videoRoomId!: string | null;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
