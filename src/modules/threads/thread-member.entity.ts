import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

export type ThreadMemberRole = 'client' | 'counselor';

/** A current member of a thread (the primary key keeps (thread, account) unique). Admins are never members. */
@Entity('thread_members')
@Index('ix_thread_members_account', ['centerId', 'accountId'])
export class ThreadMember {
  @PrimaryColumn({ name: 'thread_id', type: 'varchar', length: 36 })
  threadId!: string;

  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: ThreadMemberRole;

  /** The member sees posts with `seq > fromSeq` (0, or the thread's last_seq when a counselor took it over). */
  @Column({ name: 'from_seq', type: 'int', default: 0 })
  fromSeq!: number;

  @Column({ name: 'last_read_seq', type: 'int', default: 0 })
  lastReadSeq!: number;

  /** When this member was last mailed about this thread (the 15-minute throttle). */
  @DateColumn({ name: 'last_mail_at', nullable: true })
  lastMailAt!: Date | null;

  @DateColumn({ name: 'joined_at' })
  joinedAt!: Date;
}
