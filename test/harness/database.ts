import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/infra/database/data-source-options';
import { createMariaDb, onMariaDb, tempDataDir } from './env';

/**
 * A migrated database of the run's kind for repository tests (a fresh SQLite file, or a fresh
 * MariaDB database), without the app; `close()` destroys the connection and drops the database.
 */
export async function openTestDatabase(): Promise<{ ds: DataSource; close: () => Promise<void> }> {
  let drop = async (): Promise<void> => undefined;
  let ds: DataSource;
  if (onMariaDb) {
    const db = await createMariaDb();
    drop = db.drop;
    ds = new DataSource(dataSourceOptions({ database: { kind: 'mysql', url: db.url } }));
  } else {
    ds = new DataSource(dataSourceOptions({ database: { kind: 'sqlite', file: join(tempDataDir(), 'lotse.sqlite') } }));
  }
  await ds.initialize();
  await ds.runMigrations();
  return {
    ds,
    close: async () => {
      await ds.destroy();
      await drop();
    },
  };
}
