import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';

/**
 * Overwrites a file's bytes (zeros, then random), syncs and removes it. On copy-on-write or
 * journaling file systems and SSDs old blocks may survive: where it matters (the master key) the
 * real guarantee is that what the file held opens nothing any more.
 */
export function shredFile(file: string): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  try {
    for (const fill of [Buffer.alloc(size, 0), randomBytes(size)]) {
      writeSync(fd, fill, 0, size, 0);
      fsyncSync(fd);
    }
  } finally {
    closeSync(fd);
  }
  unlinkSync(file);
}
