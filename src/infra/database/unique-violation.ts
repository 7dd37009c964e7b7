/** True when the database refused a row because of a unique index or primary key (MariaDB/MySQL or SQLite). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string; driverError?: unknown };
  if (e.driverError && e.driverError !== err && isUniqueViolation(e.driverError)) return true;
  return (
    e.code === 'ER_DUP_ENTRY' ||
    e.errno === 1062 ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/.test(e.message ?? '')
  );
}
