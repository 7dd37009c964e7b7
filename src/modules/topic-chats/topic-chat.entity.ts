import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

export type TopicChatStatus = 'scheduled' | 'open' | 'ended' | 'cancelled';

/** A scheduled anonymous group chat on a topic, hosted by a counselor. */
@Entity('topic_chats')
@Index('ix_topic_chats_center', ['centerId', 'startsAt'])
@Index('ix_topic_chats_due', ['status', 'endsAt'])
export class TopicChat {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'host_id' })
  hostId!: string;

  @Column({ type: 'varchar', length: 120 })
  title!: string;

  @Column({ type: 'text' })
  description!: string;

  @DateColumn({ name: 'starts_at' })
  startsAt!: Date;

  @DateColumn({ name: 'ends_at' })
  endsAt!: Date;

  @Column({ type: 'int' })
  capacity!: number;

  /** Seats taken; raised with a conditional update so it never passes `capacity`. */
  @Column({ name: 'participant_count', type: 'int', default: 0 })
  participantCount!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: TopicChatStatus;

  @UuidColumn({ name: 'room_id', nullable: true })
  roomId!: string | null;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
