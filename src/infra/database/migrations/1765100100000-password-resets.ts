import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/** `password_resets`: the SHA-256 of each outstanding reset link, its account and when it expires (one hour). */
export class PasswordResets1765100100000 implements MigrationInterface {
  name = 'PasswordResets1765100100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'password_resets',
        columns: [
          { ...col.varchar('token_hash', 64), isPrimary: true },
          col.uuid('center_id'),
          col.uuid('account_id'),
          col.date('expires_at'),
          col.date('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_password_resets_account', columnNames: ['account_id'] }),
          new TableIndex({ name: 'ix_password_resets_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('password_resets');
  }
}
