import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { MysqlConnectionOptions } from 'typeorm/driver/mysql/MysqlConnectionOptions';
import { dataSourceOptions } from '../../src/infra/database/data-source-options';
import { MIGRATIONS } from '../../src/infra/database/migrations';
import { createMariaDb, onMariaDb, tempDataDir, TEST_DB } from '../harness/env';

/** A data source on a fresh, empty database of this run (SQLite file or MariaDB database). */
async function freshDataSource(): Promise<{ ds: DataSource; drop: () => Promise<void> }> {
  if (onMariaDb) {
    const db = await createMariaDb();
    const ds = await new DataSource(dataSourceOptions({ database: { kind: 'mysql', url: db.url } })).initialize();
    return { ds, drop: db.drop };
  }
  const file = join(tempDataDir(), 'lotse.sqlite');
  const ds = await new DataSource(dataSourceOptions({ database: { kind: 'sqlite', file } })).initialize();
  return { ds, drop: async () => undefined };
}

/**
 * The statements TypeORM would run to make the database match the entities (none when entities
 * and migrations agree). On MariaDB the schema is read through TypeORM's `mariadb` dialect: its
 * `mysql` dialect misreads MariaDB's information_schema (since 10.2.7 a column without default
 * reports the literal 'NULL'), which is a reading error, not a schema difference.
 */
async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const reader = onMariaDb ? await new DataSource({ ...(ds.options as MysqlConnectionOptions), type: 'mariadb' }).initialize() : ds;
  try {
    const log = await reader.driver.createSchemaBuilder().log();
    return log.upQueries.map((q) => q.query);
  } finally {
    if (reader !== ds) await reader.destroy();
  }
}

async function userTables(ds: DataSource): Promise<string[]> {
  const rows: { name: string }[] = onMariaDb
    ? await ds.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()')
    : await ds.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  return rows.map((r) => r.name).filter((n) => n !== 'migrations');
}

describe(`migrations on ${TEST_DB}`, () => {
  let ds: DataSource;
  let drop: () => Promise<void>;

  beforeEach(async () => {
    ({ ds, drop } = await freshDataSource());
  });
  afterEach(async () => {
    await ds.destroy();
    await drop();
  });

  it('should run every migration up, all the way down and up again when the database is fresh', async () => {
    const ran = await ds.runMigrations({ transaction: 'each' });
    expect(ran.map((m) => m.name)).toEqual(MIGRATIONS.map((M) => new M().name));
    expect((await userTables(ds)).length).toBeGreaterThan(0);

    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await userTables(ds)).toEqual([]);
    expect(await ds.showMigrations()).toBe(true);

    const again = await ds.runMigrations({ transaction: 'each' });
    expect(again).toHaveLength(MIGRATIONS.length);
    expect(await pendingSchemaChanges(ds)).toEqual([]);
  });

  it('should find no difference between entities and migrations when every migration has run', async () => {
    await ds.runMigrations({ transaction: 'each' });
    expect(await pendingSchemaChanges(ds)).toEqual([]);
    expect(await ds.showMigrations()).toBe(false);
  });

  it('should compare logins byte for byte when the migrations have run', async () => {
    await ds.runMigrations({ transaction: 'each' });
    const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    const insert = (n: number, login: string) =>
      ds.query('INSERT INTO accounts (id, center_id, role, login, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        id(n),
        id(9),
        'client',
        login,
        login,
        'x',
        '2026-12-01 10:00:00.000',
      ]);
    await insert(1, 'anna');
    // "ánna" is another login: general_ci/unicode_ci would call it a duplicate of "anna"
    await insert(2, '\u00e1nna');
    const found: { id: string }[] = await ds.query('SELECT id FROM accounts WHERE login = ?', ['\u00e1nna']);
    expect(found.map((r) => r.id)).toEqual([id(2)]);
    expect(await ds.query('SELECT id FROM accounts WHERE login = ?', ['ANNA'])).toEqual([]);
  });

  it('should normalise existing logins and give existing pseudonyms their look-alike key when the name migrations run', async () => {
    const before = MIGRATIONS.findIndex((M) => new M().name === 'LoginNormalForm1765000000000');
    const old = new DataSource({ ...ds.options, migrations: MIGRATIONS.slice(0, before) });
    await old.initialize();
    await old.runMigrations({ transaction: 'each' });
    const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    const rows: [number, string, string, string][] = [
      [1, 'client', 'anna', 'Anna'],
      [2, 'client', 'stra\u00dfe', 'Straße'],
      [3, 'counselor', 'ＢＥＮ@demo.example', 'Ben'],
      [5, 'client', '\u0430nna', '\u0430nna'], // Cyrillic а: another login, but a look-alike of row 1
    ];
    // before the migration, unicode_ci refuses this row on MariaDB already (ß = ss): SQLite only
    if (!onMariaDb) rows.push([4, 'client', 'strasse', 'strasse']); // row 2's normal form, and a look-alike of it
    try {
      for (const [n, role, login, name] of rows)
        await old.query('INSERT INTO accounts (id, center_id, role, login, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          id(n),
          id(9),
          role,
          login,
          name,
          'x',
          `2026-12-01 10:00:0${n}.000`,
        ]);
    } finally {
      await old.destroy();
    }

    await ds.runMigrations({ transaction: 'each' });
    const after: { id: string; login: string; name_key: string | null }[] = await ds.query('SELECT id, login, name_key FROM accounts ORDER BY id');
    expect(after.map((r) => [r.id, r.login, r.name_key])).toEqual([
      [id(1), 'anna', 'anna'],
      // on SQLite its normal form is held, exactly, by row 4: it keeps its spelling (and its look-alike key)
      [id(2), onMariaDb ? 'strasse' : 'stra\u00dfe', 'strasse'],
      [id(3), 'ben@demo.example', null],
      ...(onMariaDb ? [] : [[id(4), 'strasse', null]]),
      [id(5), '\u0430nna', null],
    ]);
  });
});
