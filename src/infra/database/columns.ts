import { Column, ColumnOptions } from 'typeorm';

/**
 * Portable column helpers: one entity and one migration serve SQLite and MariaDB.
 * Dates are `datetime` (precision 3 on MariaDB), always UTC.
 */
export const isMysql = (type: string): boolean => type === 'mysql' || type === 'mariadb';

export function DateColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: 'datetime', precision: 3, ...options });
}

export function UuidColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: 'varchar', length: 36, ...options });
}

/**
 * A boolean: BOOLEAN is tinyint(1) on MariaDB (width 1, not tinyint's default 4), a plain boolean
 * on SQLite. Declaring the width keeps entity and migration (`col.bool`) equal on both.
 */
export function BoolColumn(options: ColumnOptions = {}): PropertyDecorator {
  return Column({ type: 'boolean', width: 1, ...options });
}
