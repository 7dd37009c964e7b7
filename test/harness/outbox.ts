import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The texts of the .eml files in a data dir's outbox, quoted-printable soft breaks and escapes undone. */
export function readOutbox(dataDir: string): string[] {
  const dir = join(dataDir, 'outbox');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) =>
      readFileSync(join(dir, f), 'utf8')
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    );
}
