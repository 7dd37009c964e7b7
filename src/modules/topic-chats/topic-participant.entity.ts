import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';
import type { Role } from '../../realtime/contract';

/** A visitor or client in a topic chat, under a nickname unique within the chat (by look-alike skeleton). */
@Entity('topic_participants')
@Index('uq_topic_participants_nick_hash', ['topicChatId', 'nicknameHash'], { unique: true })
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

  /** What the person typed, encrypted with the center key (null only for rows older than the encryption). */
  @Column({ name: 'nickname_enc', type: 'text', nullable: true })
  nicknameEnc!: string | null;

  /**
   * HMAC (master key) of the chat and the nickname's folded look-alike skeleton, hex: what
   * uniqueness is decided on, without keeping the name readable.
   */
  @Column({ name: 'nickname_hash', type: 'varchar', length: 64, nullable: true })
  nicknameHash!: string | null;

  @DateColumn({ name: 'joined_at' })
  joinedAt!: Date;

  @DateColumn({ name: 'removed_at', nullable: true })
  removedAt!: Date | null;
}
