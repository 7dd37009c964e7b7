import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

export class Foundation1764300000000 implements MigrationInterface {
  name = 'Foundation1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'centers',
        columns: [
          col.id(),
          col.varchar('slug', 64),
          col.varchar('name', 200),
          col.int('live_waiting_limit', 10),
          col.int('live_max_wait_minutes', 30),
          col.int('shift_grace_seconds', 60),
          col.bool('keep_live_transcripts', false),
          col.int('transcript_retention_days', 30),
          col.bool('keep_topic_transcripts', false),
          col.json('opening_hours'),
          { ...col.varchar('time_zone', 64), default: "'Europe/Berlin'" },
          col.text('privacy_text', true),
          col.json('widget_origins'),
          col.date('created_at'),
        ],
        uniques: [{ name: 'uq_centers_slug', columnNames: ['slug'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'accounts',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.enumOf('role', ['admin', 'counselor', 'client']),
          col.varchar('login', 254),
          col.varchar('display_name', 120),
          col.varchar('password_hash', 100),
          col.text('email_enc', true),
          col.date('email_confirmed_at', true),
          col.varchar('email_confirm_hash', 64, true),
          col.date('created_at'),
        ],
        indices: [new TableIndex({ name: 'uq_accounts_center_login', columnNames: ['center_id', 'login'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'auth_tokens',
        columns: [
          { ...col.varchar('token_hash', 64), isPrimary: true },
          col.uuid('center_id'),
          col.uuid('subject_id'),
          col.enumOf('role', ['admin', 'counselor', 'client', 'visitor']),
          col.date('expires_at'),
          col.date('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_auth_tokens_subject', columnNames: ['subject_id'] }),
          new TableIndex({ name: 'ix_auth_tokens_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'data_keys',
        columns: [col.id(), col.uuid('center_id'), col.varchar('scope', 60), col.int('version', 1), col.text('wrapped_key'), col.date('created_at')],
        indices: [new TableIndex({ name: 'uq_data_keys_scope', columnNames: ['center_id', 'scope', 'version'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('data_keys');
    await q.dropTable('auth_tokens');
    await q.dropTable('accounts');
    await q.dropTable('centers');
  }
}
