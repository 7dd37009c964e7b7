import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';
import type { Role } from '../../realtime/contract';

/** A visitor or client in a topic chat, under a nickname unique within the chat (folded form). */
@Entity('topic_participants')
@Index('uq_topic_participants_nick', ['topicChatId', 'nicknameKey'], { unique: true })
@Index('uq_topic_participants_subject', ['topicChatId', 'subjectId'], { unique: true })
export class TopicParticipant {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'topic_chat_id' })
  topicChatId!: string;

  @UuidColumn({ name: 'subject_id' })
  subjectId!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @Column({ type: 'varchar', length: 40 })
  nickname!: string;

  /** NFKC, lower case, confusables folded: what uniqueness is decided on. */
  @Column({ name: 'nickname_key', type: 'varchar', length: 160 })
  nicknameKey!: string;

  @DateColumn({ name: 'joined_at' })
  joinedAt!: Date;

  @DateColumn({ name: 'removed_at', nullable: true })
  removedAt!: Date | null;
}
