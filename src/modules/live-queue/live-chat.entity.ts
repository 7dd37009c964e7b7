import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';
import type { LiveEndReason } from '../../realtime/contract';

/** The durable fact of one live chat: which room, which counselor, when, why it ended. No personal data. */
@Entity('live_chats')
@Index('uq_live_chats_room', ['roomId'], { unique: true })
@Index('ix_live_chats_visitor', ['centerId', 'visitorId'])
@Index('ix_live_chats_counselor', ['centerId', 'counselorId'])
@Index('ix_live_chats_assigned', ['centerId', 'assignedAt'])
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

  @Column({ name: 'end_reason', type: 'varchar', length: 24, nullable: true })
  endReason!: LiveEndReason | null;

  /** How long the visitor waited before the assignment (for the console and the estimate). */
  @Column({ name: 'waited_ms', type: 'int', default: 0 })
  waitedMs!: number;

  /** HMAC of the visitor's address (never the address), kept only while the chat runs (for a block). */
  @Column({ name: 'address_hash', type: 'varchar', length: 32, nullable: true })
  addressHash!: string | null;

  /** Since when (injected clock) the visitor has no socket; the sweep ends the chat after the grace. */
  @DateColumn({ name: 'visitor_away_since', nullable: true })
  visitorAwaySince!: Date | null;

  /** Since when (injected clock) the counselor has no socket while off shift; the sweep hands over or ends after the grace. */
  @DateColumn({ name: 'counselor_away_since', nullable: true })
  counselorAwaySince!: Date | null;
}
