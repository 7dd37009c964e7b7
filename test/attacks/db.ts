import Database from 'better-sqlite3';
import { join } from 'node:path';
import { server } from './server';

/** The attack server's SQLite file (WAL mode: a read-only reader beside the running server sees every commit). */
export const sqliteFile = (): string => join(server().dataDir, 'lotse.sqlite');

/** Runs one read-only query on the attack server's database. */
export function dbQuery<T = Record<string, unknown>>(sql: string, params: unknown[] = []): T[] {
  const db = new Database(sqliteFile(), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export const dbCount = (sql: string, params: unknown[] = []): number => Number(Object.values(dbQuery(sql, params)[0] ?? {})[0]);
