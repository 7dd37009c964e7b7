import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/** Mail counseling (issue 12): threads, their current members and their posts (bodies are encrypted envelopes). */
export class Threads1765200000000 implements MigrationInterface {
  name = 'Threads1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'threads',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.enumOf('kind', ['enquiry', 'direct', 'group']),
          col.enumOf('status', ['waiting', 'open', 'closed']),
          col.uuid('counselor_id', true),
          col.uuid('client_id', true),
          col.text('subject_enc'),
          col.int('last_seq', 0),
          col.date('created_at'),
          col.date('last_post_at'),
          col.date('closed_at', true),
          col.date('assigned_at', true),
        ],
        indices: [
          new TableIndex({ name: 'ix_threads_center_status', columnNames: ['center_id', 'status'] }),
          new TableIndex({ name: 'ix_threads_counselor', columnNames: ['center_id', 'counselor_id'] }),
          new TableIndex({ name: 'ix_threads_client', columnNames: ['center_id', 'client_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'thread_members',
        columns: [
          { ...col.uuid('thread_id'), isPrimary: true },
          { ...col.uuid('account_id'), isPrimary: true },
          col.uuid('center_id'),
          col.enumOf('role', ['client', 'counselor']),
          col.int('from_seq', 0),
          col.int('last_read_seq', 0),
          col.date('last_mail_at', true),
          col.date('joined_at'),
        ],
        indices: [new TableIndex({ name: 'ix_thread_members_account', columnNames: ['center_id', 'account_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'thread_posts',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('thread_id'),
          col.int('seq'),
          col.uuid('sender_id', true),
          col.enumOf('sender_role', ['client', 'counselor', 'admin', 'system']),
          col.enumOf('kind', ['post', 'notice', 'center_notice', 'deleted']),
          col.varchar('client_post_id', 64, true),
          col.text('body', true),
          col.date('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_thread_posts_seq', columnNames: ['thread_id', 'seq'], isUnique: true }),
          new TableIndex({ name: 'uq_thread_posts_client_post', columnNames: ['thread_id', 'sender_id', 'client_post_id'], isUnique: true }),
          new TableIndex({ name: 'ix_thread_posts_sender', columnNames: ['center_id', 'sender_id'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('thread_posts');
    await q.dropTable('thread_members');
    await q.dropTable('threads');
  }
}
