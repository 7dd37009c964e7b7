import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { masterKeyId } from '../crypto/master-key';

/**
 * Backups of the embedded SQLite database (docs/operator-tools.md). The master key is never part of
 * one: the backup holds only ciphertext and wrapped data keys, so a key that was destroyed (an account
 * deleted, a master key rotated away) also leaves the backup unreadable (crypto-shredding, DESIGN-NOTES §8).
 */

/** What an operator of MariaDB does instead of `backup` / `restore` (printed by both commands). */
export const MARIADB_PROCEDURE = [
  'With DATABASE_URL (MariaDB/MySQL) Lotse does not copy the database itself; use the database tools:',
  '  backup (while the nodes run, a consistent snapshot of InnoDB without locking the tables):',
  '    mariadb-dump --single-transaction --quick --routines --triggers --hex-blob -h <host> -u <user> -p <database> | gzip > lotse-$(date +%F).sql.gz',
  '  restore (every node stopped, into an empty database):',
  '    mariadb -h <host> -u <user> -p -e "CREATE DATABASE <database> CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"',
  '    gunzip < lotse-<date>.sql.gz | mariadb -h <host> -u <user> -p <database>',
  '  then start the nodes with the MASTER_KEY of the time of the backup (it is not in the dump; keep it apart).',
];

export interface BackupResult {
  file: string;
  bytes: number;
  /** The master key ids the backup's data keys were wrapped with (the key of the time). */
  masterKeyIds: string[];
}

/**
 * An online, consistent copy of the SQLite file while the server runs and writes: `VACUUM INTO` on a
 * read-only connection reads one snapshot (a WAL read transaction, which never blocks the server's
 * writers nor restarts when they commit, unlike the page-copying backup API) and writes a compact file
 * without free pages, so rows deleted before the backup (and overwritten by secure_delete) are not carried.
 * Written to `<out>.partial`, checked (integrity_check), then renamed into place.
 */
export function backupSqlite(dbFile: string, out: string, force = false): BackupResult {
  const target = resolve(out);
  if (!existsSync(dbFile)) throw new Error(`There is no database at ${dbFile}.`);
  if (target === resolve(dbFile) || target.startsWith(`${resolve(dbFile)}-`)) throw new Error('The backup cannot overwrite the database itself.');
  if (existsSync(target) && !force) throw new Error(`${target} exists: choose another file or add --force.`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(partial);
  } finally {
    db.close();
  }
  const ids = checkBackup(partial);
  renameSync(partial, target);
  return { file: target, bytes: statSync(target).size, masterKeyIds: ids };
}

/** Checks a backup file: a SQLite database that passes integrity_check and holds Lotse's tables; returns its master key ids. */
export function checkBackup(file: string): string[] {
  if (!existsSync(file)) throw new Error(`${file} does not exist.`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new Error(`${file} is not a SQLite database.`);
  }
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`${file} is damaged (integrity_check: ${String(check)}).`);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('migrations', 'data_keys')").all() as { name: string }[];
    if (tables.length !== 2) throw new Error(`${file} is not a Lotse backup (no migrations or data_keys table).`);
    const rows = db.prepare('SELECT DISTINCT master_key_id AS id FROM data_keys WHERE master_key_id IS NOT NULL').all() as { id: string }[];
    return rows.map((r) => r.id);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith(file)) throw err;
    throw new Error(`${file} is not a readable SQLite database (${(err as Error).message}).`);
  } finally {
    db.close();
  }
}

/** Whether the database file holds anything (a Lotse table with a row). */
export function sqliteHasData(dbFile: string): boolean {
  if (!existsSync(dbFile) || statSync(dbFile).size === 0) return false;
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations'").all() as {
      name: string;
    }[];
    return tables.some((t) => db.prepare(`SELECT 1 FROM "${t.name.replace(/"/g, '""')}" LIMIT 1`).get() !== undefined);
  } finally {
    db.close();
  }
}

/**
 * Puts a backup in place of the database (the server stopped; the caller holds the SQLite lock):
 * checked first, copied next to the database, the old WAL and shared-memory files removed (a stale
 * WAL would be replayed onto the restored file), then renamed over the database file.
 */
export function restoreSqlite(from: string, dbFile: string): { masterKeyIds: string[] } {
  const ids = checkBackup(from);
  const tmp = `${dbFile}.restore`;
  rmSync(tmp, { force: true });
  // a fresh copy through SQLite (not a byte copy): the result is a plain rollback-journal file the server switches to WAL
  const src = new Database(from, { readonly: true, fileMustExist: true });
  try {
    src.prepare('VACUUM INTO ?').run(tmp);
  } finally {
    src.close();
  }
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${dbFile}${suffix}`, { force: true });
  renameSync(tmp, dbFile);
  return { masterKeyIds: ids };
}

/** A line about whether the configured master key is the key of the backup's time. */
export function keyNote(ids: string[], configured: Buffer | null): string {
  if (ids.length === 0) return 'The backup holds no data keys yet.';
  const list = ids.join(', ');
  if (!configured) return `The backup's data keys were wrapped by master key id ${list}: start the server with that key (MASTER_KEY or data/master.key).`;
  const id = masterKeyId(configured);
  return ids.every((i) => i === id)
    ? `The backup's data keys were wrapped by the configured master key (id ${id}).`
    : `The backup's data keys were wrapped by master key id ${list}, not by the configured one (id ${id}): the server starts only with the key of the time.`;
}
