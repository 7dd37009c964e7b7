import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/** `enquiry`: opened by a client (1:1); `direct`: a counselor with one client; `group`: a counselor with two or more. */
export type ThreadKind = 'enquiry' | 'direct' | 'group';
/** `waiting`: an enquiry (or a thread whose counselor was deleted) without counselor; `open`; `closed` (no more posts). */
export type ThreadStatus = 'waiting' | 'open' | 'closed';

/** A mail-counseling thread. Subject and posts are encrypted (see ThreadsService.cipherFor). */
@Entity('threads')
@Index('ix_threads_center_status', ['centerId', 'status'])
@Index('ix_threads_counselor', ['centerId', 'counselorId'])
@Index('ix_threads_client', ['centerId', 'clientId'])
export class Thread {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: ThreadKind;

  @Column({ type: 'varchar', length: 16 })
  status!: ThreadStatus;

  /** The counselor in charge; null while waiting. */
  @UuidColumn({ name: 'counselor_id', nullable: true })
  counselorId!: string | null;

  /** The one client of a 1:1 thread (`enquiry`, `direct`), whose account key encrypts it; null for a group. */
  @UuidColumn({ name: 'client_id', nullable: true })
  clientId!: string | null;

  /** Ciphertext: the client's key (1:1) or the thread key (group). */
  @Column({ name: 'subject_enc', type: 'text' })
  subjectEnc!: string;

  /** The seq of the newest post; incremented in the transaction that inserts a post. */
  @Column({ name: 'last_seq', type: 'int', default: 0 })
  lastSeq!: number;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;

  @DateColumn({ name: 'last_post_at' })
  lastPostAt!: Date;

  @DateColumn({ name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  @DateColumn({ name: 'assigned_at', nullable: true })
  assignedAt!: Date | null;
}
