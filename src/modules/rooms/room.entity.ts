import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';
import type { RoomKind } from '../../realtime/contract';

/** A chat room: counselor 1:1 (`direct`), `group`, anonymous `live` chat or `topic` chat. */
@Entity('rooms')
@Index('ix_rooms_center', ['centerId'])
export class Room {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: RoomKind;

  /** Ciphertext (the room's own key): what the counselor typed, or the feature's neutral label. */
  @Column({ type: 'text' })
  name!: string;

  /** The counselor who created it; null for rooms created by the system (live, topic). */
  @UuidColumn({ name: 'created_by', nullable: true })
  createdBy!: string | null;

  /** Members can write only inside [startsAt, endsAt) when set; reading is always allowed. */
  @DateColumn({ name: 'starts_at', nullable: true })
  startsAt!: Date | null;

  @DateColumn({ name: 'ends_at', nullable: true })
  endsAt!: Date | null;

  @DateColumn({ name: 'closed_at', nullable: true })
  closedAt!: Date | null;

  /** The seq of the newest message; incremented in the transaction that inserts a message. */
  @Column({ name: 'last_seq', type: 'int', default: 0 })
  lastSeq!: number;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
