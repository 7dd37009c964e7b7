import type { DataSource } from 'typeorm';
import { isMysql } from './columns';

/**
 * Reads the database clock (UTC) in one query. Due times that several nodes decide (shift grace,
 * topic-chat windows) are compared with it, read once per sweep and bound as a parameter.
 */
export async function readDbNow(ds: DataSource): Promise<Date> {
  const sql = isMysql(ds.options.type) ? 'SELECT UTC_TIMESTAMP(3) AS now' : "SELECT strftime('%Y-%m-%d %H:%M:%f','now') AS now";
  const rows: { now: Date | string }[] = await ds.query(sql);
  const raw = rows[0]?.now;
  if (raw instanceof Date) return raw;
  return new Date(`${String(raw).replace(' ', 'T')}Z`);
}
