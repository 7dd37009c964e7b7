import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from '../migration-columns';

/** The normal form of logins as of this migration (src/common/names.ts), frozen here on purpose. */
const normalize = (login: string): string => login.trim().normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');

/**
 * Logins in one normal form (NFKC + case folding), compared byte for byte: existing rows are
 * normalised, and on MariaDB `accounts.login` gets the binary collation, so that `unicode_ci` no
 * longer finds "ánna" for "anna". SQLite compares bytes (BINARY) already. A row whose normal form
 * another account of its center holds already keeps its old spelling (and is logged): merging two
 * accounts is not a migration's decision.
 */
export class LoginNormalForm1765000000000 implements MigrationInterface {
  name = 'LoginNormalForm1765000000000';

  async up(q: QueryRunner): Promise<void> {
    if (isMysql(q)) await q.changeColumn('accounts', 'login', new TableColumn({ ...col.varchar('login', 254), charset: 'utf8mb4', collation: 'utf8mb4_bin' }));
    const rows = (await q.query('SELECT id, center_id, login FROM accounts ORDER BY created_at, id')) as { id: string; center_id: string; login: string }[];
    const taken = new Set(rows.map((r) => `${r.center_id}|${r.login}`));
    for (const row of rows) {
      const normal = normalize(row.login);
      if (normal === row.login) continue;
      if (taken.has(`${row.center_id}|${normal}`)) {
        console.warn(`migration ${this.name}: account ${row.id} keeps its login; its normal form belongs to another account of its center`);
        continue;
      }
      await q.query('UPDATE accounts SET login = ? WHERE id = ?', [normal, row.id]);
      taken.add(`${row.center_id}|${normal}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // normalised logins stay normalised (the old code lower-cased them too); only the collation goes back
    if (isMysql(q)) await q.changeColumn('accounts', 'login', new TableColumn(col.varchar('login', 254)));
  }
}

function isMysql(q: QueryRunner): boolean {
  return q.connection.options.type === 'mysql' || q.connection.options.type === 'mariadb';
}
