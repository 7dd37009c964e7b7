import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

export type ThreadSenderRole = 'client' | 'counselor' | 'admin' | 'system';
/** `post`; `notice` (system: reassigned, member removed, …; a code and params); `center_notice` (the admin during an absence); `deleted` (a tombstone). */
export type ThreadPostKind = 'post' | 'notice' | 'center_notice' | 'deleted';

/** A post. `seq` is gap-free per thread; `body` is the envelope (post-envelope.ts), null for a tombstone. */
@Entity('thread_posts')
@Index('uq_thread_posts_seq', ['threadId', 'seq'], { unique: true })
@Index('uq_thread_posts_client_post', ['threadId', 'senderId', 'clientPostId'], { unique: true })
@Index('ix_thread_posts_sender', ['centerId', 'senderId'])
export class ThreadPost {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'thread_id' })
  threadId!: string;

  @Column({ type: 'int' })
  seq!: number;

  /** Null for system notices and for the tombstones of a deleted member. */
  @UuidColumn({ name: 'sender_id', nullable: true })
  senderId!: string | null;

  @Column({ name: 'sender_role', type: 'varchar', length: 16 })
  senderRole!: ThreadSenderRole;

  @Column({ type: 'varchar', length: 16 })
  kind!: ThreadPostKind;

  @Column({ name: 'client_post_id', type: 'varchar', length: 64, nullable: true })
  clientPostId!: string | null;

  @Column({ type: 'text', nullable: true })
  body!: string | null;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
