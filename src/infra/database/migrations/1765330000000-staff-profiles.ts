import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/** The team page and crisis contacts (issue 13): a staff member's profile switches, text and picture. */
export class StaffProfiles1765330000000 implements MigrationInterface {
  name = 'StaffProfiles1765330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'staff_profiles',
        columns: [
          { ...col.uuid('account_id'), isPrimary: true },
          col.uuid('center_id'),
          col.text('team_text_enc', true),
          col.bool('on_team_page', false),
          col.bool('team_hidden_by_admin', false),
          col.bool('crisis_contact', false),
          col.date('updated_at'),
        ],
        indices: [new TableIndex({ name: 'ix_staff_profiles_center', columnNames: ['center_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'staff_pictures',
        columns: [{ ...col.uuid('account_id'), isPrimary: true }, col.uuid('center_id'), col.blob('data'), col.date('updated_at')],
        indices: [new TableIndex({ name: 'ix_staff_pictures_center', columnNames: ['center_id'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('staff_pictures');
    await q.dropTable('staff_profiles');
  }
}
