import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { lookAlikeKey } from '../../../common/names';
import { col } from '../migration-columns';

/**
 * `accounts.name_key`: a client's pseudonym as look-alike key, unique per center (binary collation
 * on MariaDB). Existing clients get theirs from the pseudonym they registered (the display name);
 * where two existing pseudonyms look alike, the younger keeps none (it is logged) — renaming
 * somebody is not a migration's decision.
 */
export class AccountNameKey1765000200000 implements MigrationInterface {
  name = 'AccountNameKey1765000200000';

  async up(q: QueryRunner): Promise<void> {
    const mysql = q.connection.options.type === 'mysql' || q.connection.options.type === 'mariadb';
    const column = col.varchar('name_key', 160, true);
    await q.addColumn('accounts', new TableColumn(mysql ? { ...column, charset: 'utf8mb4', collation: 'utf8mb4_bin' } : column));
    const rows = (await q.query("SELECT id, center_id, display_name FROM accounts WHERE role = 'client' ORDER BY created_at, id")) as {
      id: string;
      center_id: string;
      display_name: string;
    }[];
    const taken = new Set<string>();
    for (const row of rows) {
      const key = lookAlikeKey(row.display_name).slice(0, 160);
      if (!key || taken.has(`${row.center_id}|${key}`)) {
        console.warn(`migration ${this.name}: client ${row.id} gets no look-alike key (another pseudonym of its center looks alike)`);
        continue;
      }
      taken.add(`${row.center_id}|${key}`);
      await q.query('UPDATE accounts SET name_key = ? WHERE id = ?', [key, row.id]);
    }
    await q.createIndex('accounts', new TableIndex({ name: 'uq_accounts_center_name_key', columnNames: ['center_id', 'name_key'], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('accounts', 'uq_accounts_center_name_key');
    await q.dropColumn('accounts', 'name_key');
  }
}
