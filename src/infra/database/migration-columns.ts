import type { TableColumnOptions } from 'typeorm';

/** Column builders for migrations, mirroring the entity helpers in columns.ts. */
export const col = {
  id: (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: true }),
  uuid: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable: nullable }),
  varchar: (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable }),
  text: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable }),
  /** Binary, at most 64 KiB on MariaDB (SQLite has no limit that matters): store larger values in pieces. */
  blob: (name: string): TableColumnOptions => ({ name, type: 'blob' }),
  // 'integer', not 'int': SQLite reports the declared name back and TypeORM normalises an entity's
  // 'int' to 'integer' there; MariaDB stores both as int. So entity and migration compare equal.
  int: (name: string, dflt?: number, nullable = false): TableColumnOptions => ({
    name,
    type: 'integer',
    isNullable: nullable,
    ...(dflt === undefined ? {} : { default: dflt }),
  }),
  bigint: (name: string, dflt?: number): TableColumnOptions => ({ name, type: 'bigint', ...(dflt === undefined ? {} : { default: dflt }) }),
  // Default as 0/1: SQLite would otherwise store the literal `false`, while TypeORM normalises an
  // entity's `default: false` to 0 on both databases.
  bool: (name: string, dflt: boolean): TableColumnOptions => ({ name, type: 'boolean', default: dflt ? 1 : 0 }),
  date: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable: nullable }),
  /** A closed set of values, stored as varchar on both databases (checked by the code). */
  enumOf: (name: string, _values: string[], length = 16): TableColumnOptions => ({ name, type: 'varchar', length: String(length) }),
  json: (name: string): TableColumnOptions => ({ name, type: 'text', isNullable: true }),
};
