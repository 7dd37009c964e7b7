import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/** The durable fact of one live chat: which room, which counselor, when. No personal data. */
@Entity('live_chats')
@Index('uq_live_chats_room', ['roomId'], { unique: true })
@Index('ix_live_chats_visitor', ['centerId', 'visitorId'])
@Index('ix_live_chats_counselor', ['centerId', 'counselorId'])
export class LiveChat {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'room_id' })
  roomId!: string;

  @UuidColumn({ name: 'counselor_id' })
  counselorId!: string;

  /** The random id of the anonymous visitor token. */
  @UuidColumn({ name: 'visitor_id' })
  visitorId!: string;

  @DateColumn({ name: 'assigned_at' })
  assignedAt!: Date;

  @DateColumn({ name: 'ended_at', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 16, nullable: true })
  endReason!: string | null;
}
