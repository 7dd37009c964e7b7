import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { isMysql } from '../columns';
import { col } from '../migration-columns';

/** Marks a name written before names were encrypted; the rooms feature encrypts it at the next start. */
export const LEGACY_PLAIN_PREFIX = 'p0:';

/**
 * Data keys record which master key wrapped them (key:rotate); room names and member display names
 * become ciphertext (text columns). Existing names are marked `p0:` and encrypted by the
 * application at start (a migration has no master key).
 */
export class CiphertextNamesAndKeyIds1764900000000 implements MigrationInterface {
  name = 'CiphertextNamesAndKeyIds1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('data_keys', new TableColumn(col.varchar('master_key_id', 16, true)));
    await q.changeColumn('rooms', 'name', new TableColumn(col.text('name')));
    await q.changeColumn('room_members', 'display_name', new TableColumn(col.text('display_name')));
    const concat = (c: string) => (isMysql(q.connection.options.type) ? `CONCAT('${LEGACY_PLAIN_PREFIX}', ${c})` : `'${LEGACY_PLAIN_PREFIX}' || ${c}`);
    await q.query(`UPDATE rooms SET name = ${concat('name')}`);
    await q.query(`UPDATE room_members SET display_name = ${concat('display_name')}`);
  }

  /** Back to plain varchar: names not yet encrypted come back; encrypted ones cannot (no key here) and become empty. */
  async down(q: QueryRunner): Promise<void> {
    for (const [table, column] of [
      ['rooms', 'name'],
      ['room_members', 'display_name'],
    ] as const) {
      await q.query(`UPDATE ${table} SET ${column} = SUBSTR(${column}, ${LEGACY_PLAIN_PREFIX.length + 1}) WHERE ${column} LIKE '${LEGACY_PLAIN_PREFIX}%'`);
      await q.query(`UPDATE ${table} SET ${column} = '' WHERE ${column} LIKE 'v1:%'`);
      await q.changeColumn(table, column, new TableColumn(col.varchar(column, 120)));
    }
    await q.dropColumn('data_keys', 'master_key_id');
  }
}
