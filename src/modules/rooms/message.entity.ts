import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/** A chat message. `seq` is gap-free per room; the body is ciphertext (CryptoService, the room's own key; older ones name the center key). */
@Entity('messages')
@Index('uq_messages_room_seq', ['roomId', 'seq'], { unique: true })
@Index('uq_messages_client_msg', ['roomId', 'senderId', 'clientMsgId'], { unique: true })
@Index('ix_messages_sender', ['centerId', 'senderId'])
export class Message {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'room_id' })
  roomId!: string;

  @Column({ type: 'int' })
  seq!: number;

  @UuidColumn({ name: 'sender_id' })
  senderId!: string;

  @Column({ name: 'client_msg_id', type: 'varchar', length: 64 })
  clientMsgId!: string;

  @Column({ type: 'text' })
  body!: string;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
