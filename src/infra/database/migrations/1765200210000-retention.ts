import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { col } from '../migration-columns';

/**
 * Retention of mail counseling: the center's periods (closed threads, unconfirmed registrations,
 * unused accounts), when an account last logged in (an unused account is measured from it), and
 * one lease row per center so that the sweep of every node runs a center's deletions once.
 */
export class Retention1765200210000 implements MigrationInterface {
  name = 'Retention1765200210000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('centers', [
      new TableColumn(col.int('thread_retention_days', 180)),
      new TableColumn(col.int('unconfirmed_registration_days', 7)),
      new TableColumn(col.int('unused_account_days', 90)),
    ]);
    await q.addColumn('accounts', new TableColumn(col.date('last_login_at', true)));
    await q.createTable(
      new Table({
        name: 'retention_leases',
        columns: [{ ...col.uuid('center_id'), isPrimary: true }, col.date('lease_until'), col.uuid('holder', true), col.date('last_run_at', true)],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('retention_leases');
    await q.dropColumn('accounts', 'last_login_at');
    await q.dropColumns('centers', ['thread_retention_days', 'unconfirmed_registration_days', 'unused_account_days']);
  }
}
