import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BoolColumn, DateColumn, UuidColumn } from '../../infra/database/columns';
import type { Role } from '../../realtime/contract';

/** Membership of an account or visitor in a room (the primary key keeps it unique). */
@Entity('room_members')
@Index('ix_room_members_subject', ['subjectId'])
export class RoomMember {
  @PrimaryColumn({ name: 'room_id', type: 'varchar', length: 36 })
  roomId!: string;

  @PrimaryColumn({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  /** Ciphertext (the room's own key): the name the others see in this room. */
  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ name: 'last_read_seq', type: 'int', default: 0 })
  lastReadSeq!: number;

  @BoolColumn({ default: false })
  muted!: boolean;

  @DateColumn({ name: 'removed_at', nullable: true })
  removedAt!: Date | null;

  @DateColumn({ name: 'joined_at' })
  joinedAt!: Date;
}
