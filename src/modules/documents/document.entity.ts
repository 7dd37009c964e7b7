import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

export type DocumentUploaderRole = 'client' | 'counselor';

/**
 * A PDF uploaded to a thread. Its bytes are in `document_chunks`, its name in `name_enc`, both
 * encrypted with the key the threads module names for the uploader (`ThreadsService.cipherFor`).
 * `post_id` is null until the uploader's next post takes it; unattached ones are swept after a day.
 */
@Entity('documents')
@Index('ix_documents_thread_post', ['threadId', 'postId'])
@Index('ix_documents_uploader', ['centerId', 'uploaderId', 'createdAt'])
@Index('ix_documents_unattached', ['postId', 'createdAt'])
export class Document {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'thread_id' })
  threadId!: string;

  @UuidColumn({ name: 'uploader_id' })
  uploaderId!: string;

  /** The uploader's role in the thread when uploading: with the thread, it names the key (`cipherFor`). */
  @Column({ name: 'uploader_role', type: 'varchar', length: 16 })
  uploaderRole!: DocumentUploaderRole;

  @UuidColumn({ name: 'post_id', nullable: true })
  postId!: string | null;

  /** The post's seq, set when the post is announced: who may see the post may download the document. */
  @Column({ name: 'post_seq', type: 'int', nullable: true })
  postSeq!: number | null;

  @Column({ name: 'name_enc', type: 'text' })
  nameEnc!: string;

  /** Plaintext size in bytes. */
  @Column({ type: 'int' })
  size!: number;

  @Column({ name: 'chunk_count', type: 'int' })
  chunkCount!: number;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
