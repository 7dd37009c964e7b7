import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/**
 * A counselor's private notes (about a client, or about a thread; the body encrypted with the
 * client's key or the thread's cipher) and the absence assistant (one absence per counselor, its
 * text encrypted with the counselor's own key).
 */
export class NotesAndAbsences1765200200000 implements MigrationInterface {
  name = 'NotesAndAbsences1765200200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'notes',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('author_id'),
          col.uuid('client_id', true),
          col.uuid('thread_id', true),
          col.text('body_enc'),
          col.date('created_at'),
          col.date('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_notes_author_client', columnNames: ['center_id', 'author_id', 'client_id', 'created_at'] }),
          new TableIndex({ name: 'ix_notes_author_thread', columnNames: ['center_id', 'author_id', 'thread_id', 'created_at'] }),
          new TableIndex({ name: 'ix_notes_client', columnNames: ['center_id', 'client_id'] }),
          new TableIndex({ name: 'ix_notes_thread', columnNames: ['center_id', 'thread_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'absences',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('counselor_id'),
          col.date('starts_at'),
          col.date('ends_at'),
          col.text('text_enc'),
          col.date('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_absences_counselor', columnNames: ['counselor_id'], isUnique: true }),
          new TableIndex({ name: 'ix_absences_center_ends', columnNames: ['center_id', 'ends_at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('absences');
    await q.dropTable('notes');
  }
}
