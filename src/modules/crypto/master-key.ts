import { Logger } from '@nestjs/common';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config/config';

export const MASTER_KEY = Symbol('MASTER_KEY');

/**
 * MASTER_KEY from the environment; without it (embedded default only) a key generated once into
 * `<data>/master.key` (mode 0600), with a warning on every start.
 */
export function loadMasterKey(config: AppConfig, logger = new Logger('MasterKey')): Buffer {
  if (config.masterKey) return Buffer.from(config.masterKey, 'base64');
  const file = join(config.dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  logger.warn(`MASTER_KEY is not set: using the generated key in ${file}. Set MASTER_KEY (same on every node) and keep a copy apart from database backups.`);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold 32 bytes in base64.`);
  return key;
}
