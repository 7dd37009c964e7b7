import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/** Staff members' own canned responses (title and body encrypted with the owner's key). */
export class CannedResponses1765100300000 implements MigrationInterface {
  name = 'CannedResponses1765100300000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'canned_responses',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('owner_id'),
          col.text('title_enc'),
          col.text('body_enc'),
          col.date('created_at'),
          col.date('updated_at'),
        ],
        indices: [new TableIndex({ name: 'ix_canned_responses_owner', columnNames: ['center_id', 'owner_id', 'created_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('canned_responses');
  }
}
