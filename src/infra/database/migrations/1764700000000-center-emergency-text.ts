import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from '../migration-columns';

/** A center's own emergency text (crisis lines), shown by the widget when nobody can answer. */
export class CenterEmergencyText1764700000000 implements MigrationInterface {
  name = 'CenterEmergencyText1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('centers', new TableColumn(col.text('emergency_text', true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('centers', 'emergency_text');
  }
}
