import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/**
 * Documents (PDFs) in threads: `documents` (encrypted name, size, the post it is attached to),
 * `document_chunks` (the encrypted bytes in pieces of at most 60 KiB, a `blob` on both databases),
 * `document_quotas` (uploads and bytes per account and day); the center settings
 * `document_max_bytes` (10 MiB), `document_daily_quota` (20 uploads) and `document_daily_bytes` (50 MiB).
 */
export class Documents1765200100000 implements MigrationInterface {
  name = 'Documents1765200100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'documents',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('thread_id'),
          col.uuid('uploader_id'),
          col.enumOf('uploader_role', ['client', 'counselor']),
          col.uuid('post_id', true),
          col.int('post_seq', undefined, true),
          col.text('name_enc'),
          col.int('size'),
          col.int('chunk_count'),
          col.date('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_documents_thread_post', columnNames: ['thread_id', 'post_id'] }),
          new TableIndex({ name: 'ix_documents_uploader', columnNames: ['center_id', 'uploader_id', 'created_at'] }),
          new TableIndex({ name: 'ix_documents_unattached', columnNames: ['post_id', 'created_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'document_chunks',
        columns: [{ ...col.uuid('document_id'), isPrimary: true }, { ...col.int('idx'), isPrimary: true }, col.uuid('center_id'), col.blob('data')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'document_quotas',
        columns: [col.id(), col.uuid('center_id'), col.uuid('account_id'), col.varchar('day', 10), col.int('uploads', 0), col.int('bytes', 0)],
        indices: [
          new TableIndex({ name: 'uq_document_quotas_account_day', columnNames: ['account_id', 'day'], isUnique: true }),
          new TableIndex({ name: 'ix_document_quotas_day', columnNames: ['day'] }),
        ],
      }),
    );
    await q.addColumns('centers', [
      new TableColumn(col.int('document_max_bytes', 10 * 1024 * 1024)),
      new TableColumn(col.int('document_daily_quota', 20)),
      new TableColumn(col.int('document_daily_bytes', 50 * 1024 * 1024)),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('centers', ['document_max_bytes', 'document_daily_quota', 'document_daily_bytes']);
    await q.dropTable('document_quotas');
    await q.dropTable('document_chunks');
    await q.dropTable('documents');
  }
}
