import { Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../../config/config';
import { shredFile } from '../files/shred';

export const MASTER_KEY = Symbol('MASTER_KEY');
/** MASTER_KEY_PREVIOUS during a rotation (a Buffer), or null. */
export const MASTER_KEY_PREVIOUS = Symbol('MASTER_KEY_PREVIOUS');

const FILE_NAME = 'master.key';
/** Written by key:rotate before the database is re-wrapped; renamed over master.key after the commit. */
const NEXT_FILE_NAME = 'master.key.next';

export const masterKeyFile = (config: Pick<AppConfig, 'dataDir'>): string => join(config.dataDir, FILE_NAME);
export const nextMasterKeyFile = (config: Pick<AppConfig, 'dataDir'>): string => join(config.dataDir, NEXT_FILE_NAME);

/**
 * The id a wrapped data key records of the master key that wrapped it (a hash prefix: it names the
 * key, it does not help to find it). A mismatch is a clear error instead of a failed tag check.
 */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('lotse-master-key-id|').update(key).digest('hex').slice(0, 16);
}

/** 32 bytes from base64 text, or an error that says where the text came from. */
export function parseMasterKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed) || key.length !== 32) throw new Error(`${origin} does not hold 32 bytes in base64.`);
  return key;
}

/**
 * MASTER_KEY from the environment; without it (embedded default only) a key generated once into
 * `<data>/master.key` (mode 0600), with a warning on every start.
 */
export function loadMasterKey(config: AppConfig, logger = new Logger('MasterKey')): Buffer {
  if (config.masterKey) return Buffer.from(config.masterKey, 'base64');
  const file = masterKeyFile(config);
  const next = nextMasterKeyFile(config);
  if (existsSync(next)) {
    throw new Error(
      `${next} exists: a key:rotate was interrupted. The data keys are wrapped either by ${file} or by ${next}; ` +
        'run `npm run cli -- key:rotate --resume` to finish (it keeps the key that matches the database).',
    );
  }
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  logger.warn(`MASTER_KEY is not set: using the generated key in ${file}. Set MASTER_KEY (same on every node) and keep a copy apart from database backups.`);
  return parseMasterKey(readFileSync(file, 'utf8'), file);
}

/** Writes a key file durably (mode 0600, fsync) that must not exist yet. */
export function writeKeyFile(file: string, key: Buffer): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, key.toString('base64') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces master.key by master.key.next: the old file is shredded, the next one renamed into place. */
export function promoteNextKeyFile(config: Pick<AppConfig, 'dataDir'>): void {
  const file = masterKeyFile(config);
  if (existsSync(file)) shredFile(file);
  renameSync(nextMasterKeyFile(config), file);
}

/** MASTER_KEY_PREVIOUS from the environment (only with MASTER_KEY: the config checks that), or null. */
export function loadPreviousMasterKey(config: Pick<AppConfig, 'masterKeyPrevious'>): Buffer | null {
  return config.masterKeyPrevious ? Buffer.from(config.masterKeyPrevious, 'base64') : null;
}
