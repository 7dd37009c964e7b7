import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * SQLite serves one process only. A second node on the same file is refused with a clear message
 * (a lock file holding the pid; a stale lock of a dead process is taken over).
 */
export function acquireSqliteLock(dbFile: string): () => void {
  const lockFile = `${dbFile}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(lockFile, 'utf8') === String(process.pid)) unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lockFile, 'utf8'));
      if (pid === process.pid) return () => undefined;
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new Error(
          `Another Lotse process (pid ${pid}) is using the SQLite database ${dbFile}. SQLite runs one node only; ` +
            'set DATABASE_URL (MariaDB/MySQL) and REDIS_URL to run several nodes.',
        );
      }
      unlinkSync(lockFile);
    }
  }
  throw new Error(`Could not take the SQLite lock ${lockFile}.`);
}

/** The pid of another live process holding the lock of this SQLite file, or null (`includeSelf`: this process counts too). */
export function sqliteLockHolder(dbFile: string, includeSelf = false): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(`${dbFile}.lock`, 'utf8'));
  } catch {
    return null;
  }
  return Number.isInteger(pid) && pid > 0 && (includeSelf || pid !== process.pid) && isAlive(pid) ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
