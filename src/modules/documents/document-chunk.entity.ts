import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UuidColumn } from '../../infra/database/columns';

/**
 * One piece (at most `CHUNK_BYTES` of plaintext) of a document, encrypted on its own with the
 * document's key and bound to (document, index). `blob` is the one binary type both databases
 * take (MariaDB: up to 64 KiB), small rows also stay below MariaDB's `max_allowed_packet`.
 */
@Entity('document_chunks')
export class DocumentChunk {
  @PrimaryColumn({ name: 'document_id', type: 'varchar', length: 36 })
  documentId!: string;

  @PrimaryColumn({ type: 'int' })
  idx!: number;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'blob' })
  data!: Buffer;
}
