import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { checkpointOffTheLoop } from './sqlite-checkpointer';

/** One description of the database for the app, the CLI and the tests. */
/** Connections of a node's MariaDB/MySQL pool; at most half of them hold a transaction (Transactions). */
export const MYSQL_POOL_SIZE = 20;

export function dataSourceOptions(config: Pick<AppConfig, 'database'>): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
  } as const;
  if (config.database.kind === 'mysql') {
    return {
      ...common,
      type: 'mysql',
      url: config.database.url,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      supportBigNumbers: true,
      bigNumberStrings: false,
      extra: { connectionLimit: MYSQL_POOL_SIZE },
    };
  }
  mkdirSync(dirname(config.database.file), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: config.database.file,
    prepareDatabase: (db: { name: string; pragma(s: string): unknown; prepare(sql: string): unknown; close(): unknown }) => {
      // TypeORM begins its transactions DEFERRED: one that reads first and then writes fails at once
      // with SQLITE_BUSY (no busy wait) when another process (the CLI: key:rotate, backup) committed
      // in between. IMMEDIATE takes the write lock up front and waits for it (busy_timeout).
      const prepare = db.prepare.bind(db);
      db.prepare = (sql: string) => prepare(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
      // Deleted rows are overwritten with zeros instead of lingering in free pages (docs/security.md).
      db.pragma('secure_delete = ON');
      // WAL checkpoints in a worker thread, not inside a commit on the event loop (sqlite-checkpointer.ts)
      checkpointOffTheLoop(db);
    },
  };
}
