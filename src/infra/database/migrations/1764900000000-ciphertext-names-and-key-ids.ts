import { MigrationInterface, QueryRunner, TableColumn, TableColumnOptions } from 'typeorm';
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
    // 'room:<room id>:<subject id>' is 78 characters
    await retype(q, 'data_keys', col.varchar('scope', 100), 'varchar(100) NOT NULL');
    await retype(q, 'rooms', col.text('name'), 'text NOT NULL');
    await retype(q, 'room_members', col.text('display_name'), 'text NOT NULL');
    const concat = (c: string) => (isMysql(q.connection.options.type) ? `CONCAT('${LEGACY_PLAIN_PREFIX}', ${c})` : `'${LEGACY_PLAIN_PREFIX}' || ${c}`);
    await q.query(`UPDATE rooms SET name = ${concat('name')}`);
    await q.query(`UPDATE room_members SET display_name = ${concat('display_name')}`);
  }

  /**
   * Back to plain varchar: names not yet encrypted come back; encrypted ones cannot (no key here)
   * and become empty, and the per-member room keys (longer scopes) are dropped with what they protect.
   */
  async down(q: QueryRunner): Promise<void> {
    for (const [table, column] of [
      ['rooms', 'name'],
      ['room_members', 'display_name'],
    ] as const) {
      await q.query(`UPDATE ${table} SET ${column} = SUBSTR(${column}, ${LEGACY_PLAIN_PREFIX.length + 1}) WHERE ${column} LIKE '${LEGACY_PLAIN_PREFIX}%'`);
      await q.query(`UPDATE ${table} SET ${column} = '' WHERE ${column} LIKE 'v1:%'`);
      await retype(q, table, col.varchar(column, 120), 'varchar(120) NOT NULL');
    }
    await q.query(`DELETE FROM data_keys WHERE scope LIKE 'room:%:%'`);
    await retype(q, 'data_keys', col.varchar('scope', 60), 'varchar(60) NOT NULL');
    await q.dropColumn('data_keys', 'master_key_id');
  }
}

/**
 * Changes a column's type keeping its values. TypeORM's changeColumn drops and re-adds a MariaDB
 * column whose type or length changes (the values would be lost), so MariaDB gets MODIFY; on
 * SQLite changeColumn rebuilds the table with its rows.
 */
async function retype(q: QueryRunner, table: string, column: TableColumnOptions, mysqlType: string): Promise<void> {
  if (isMysql(q.connection.options.type)) await q.query(`ALTER TABLE \`${table}\` MODIFY \`${column.name}\` ${mysqlType}`);
  else await q.changeColumn(table, column.name, new TableColumn(column));
}
