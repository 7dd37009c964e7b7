import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

/**
 * Which backing services this test run uses. `npm test` runs the suites twice: once on the embedded
 * defaults (LOTSE_TEST_DB=sqlite) and once on MariaDB + Redis (LOTSE_TEST_DB=mariadb).
 */
export const TEST_DB = (process.env.LOTSE_TEST_DB ?? 'sqlite') as 'sqlite' | 'mariadb';
export const MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const onMariaDb = TEST_DB === 'mariadb';
/**
 * bcrypt's cost for the servers the tests start: `npm test` sets PASSWORD_HASH_COST=10 (a quarter of
 * the default 12's CPU: thousands of accounts are made and logged into); unset, the server's default.
 */
export const HASH_COST_ENV: Record<string, string> = process.env.PASSWORD_HASH_COST ? { PASSWORD_HASH_COST: process.env.PASSWORD_HASH_COST } : {};

/** A fresh, private data directory (SQLite file, master key, outbox). */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'lotse-test-'));
}

/** A fresh MariaDB database for one test file; dropped by `drop()`. */
export async function createMariaDb(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `lotse_t_${randomBytes(6).toString('hex')}`;
  const conn = await createConnection(MARIADB_URL);
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  return {
    name,
    url: `${MARIADB_URL}/${name}`,
    drop: async () => {
      const c = await createConnection(MARIADB_URL);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

export const TEST_MASTER_KEY = randomBytes(32).toString('base64');
