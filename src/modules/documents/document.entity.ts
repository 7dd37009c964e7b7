import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

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

  @UuidColumn({ name: 'post_id', nullable: true })
  postId!: string | null;

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
