import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/** "Their counselor" of a registered client: one row per client (booking, crisis contact, admin). */
export class ClientCounselors1765300000000 implements MigrationInterface {
  name = 'ClientCounselors1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'client_counselors',
        columns: [col.id(), col.uuid('center_id'), col.uuid('client_id'), col.uuid('counselor_id'), col.varchar('reason', 16), col.date('assigned_at')],
        indices: [
          new TableIndex({ name: 'uq_client_counselors_client', columnNames: ['center_id', 'client_id'], isUnique: true }),
          new TableIndex({ name: 'ix_client_counselors_counselor', columnNames: ['center_id', 'counselor_id'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('client_counselors');
  }
}
