import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/**
 * A counselor's private note, about a client (`clientId`), about a thread (`threadId`) or about
 * one of their video rooms (`videoRoomId`, encrypted with the counselor's own key). Only its author ever reads or changes it. The body is encrypted with the client's own key
 * (a note about a client) or with the thread's cipher (ThreadsService.cipherFor): deleting the
 * client or the thread shreds it.
 */
@Entity('notes')
@Index('ix_notes_author_client', ['centerId', 'authorId', 'clientId', 'createdAt'])
@Index('ix_notes_author_thread', ['centerId', 'authorId', 'threadId', 'createdAt'])
@Index('ix_notes_client', ['centerId', 'clientId'])
@Index('ix_notes_thread', ['centerId', 'threadId'])
@Index('ix_notes_author_video_room', ['centerId', 'authorId', 'videoRoomId', 'createdAt'])
@Index('ix_notes_video_room', ['centerId', 'videoRoomId'])
export class Note {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'author_id' })
  authorId!: string;

  @UuidColumn({ name: 'client_id', nullable: true })
  clientId!: string | null;

  @UuidColumn({ name: 'thread_id', nullable: true })
  threadId!: string | null;

  /** A note about one of the author's video rooms (then clientId and threadId are null; the author's own key). */
  @UuidColumn({ name: 'video_room_id', nullable: true })
  videoRoomId!: string | null;

  @Column({ name: 'body_enc', type: 'text' })
  bodyEnc!: string;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;

  @DateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
