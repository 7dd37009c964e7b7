import type { DataSource } from 'typeorm';
import { isMysql } from './columns';

/**
 * SQL for "now" on the database (UTC), so every node decides due times by one clock. On SQLite the
 * text form matches how TypeORM stores datetimes (`YYYY-MM-DD HH:MM:SS.SSS`, UTC).
 */
export function dbNow(ds: DataSource, plusSeconds = 0): string {
  const n = Math.trunc(plusSeconds);
  if (isMysql(ds.options.type)) return n === 0 ? 'UTC_TIMESTAMP(3)' : `DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ${n} SECOND)`;
  return n === 0 ? "strftime('%Y-%m-%d %H:%M:%f','now')" : `strftime('%Y-%m-%d %H:%M:%f','now','${n >= 0 ? '+' : ''}${n} seconds')`;
}

/** Reads the database clock. */
export async function readDbNow(ds: DataSource): Promise<Date> {
  const rows: { now: Date | string }[] = await ds.query(`SELECT ${dbNow(ds)} AS now`);
  const raw = rows[0]?.now;
  if (raw instanceof Date) return raw;
  return new Date(`${String(raw).replace(' ', 'T')}Z`);
}
