import Redis from 'ioredis';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { lookAlikeKey, normalizeLogin } from '../../src/common/names';

/**
 * The erasure scan (docs/security.md, "What deletion leaves behind: the scan"): after a deletion,
 * looks for needles — an account id, a pseudonym in every stored form, an email, the texts the
 * person wrote — in every row of every table, every file under the data directory and every Redis
 * key and value under the app's prefix. Tables and columns are listed from the database itself, so
 * a table added tomorrow is scanned without touching this file. Every comparison ignores case.
 */

export type HitPlace = 'table' | 'file' | 'redis';

export interface Hit {
  needle: string;
  place: HitPlace;
  /** `accounts.login (id=…)`, a file path with the byte offset, `redis key lotse:…` or `redis value lotse:… (hash)`. */
  location: string;
}

export interface ScanTarget {
  /** The app's data source (SQLite or MariaDB): every table of its schema is read. */
  ds: DataSource;
  /** Every file under it is read byte by byte (SQLite file, -wal, -shm, outbox, keys, logs). */
  dataDir?: string;
  /** More files outside the data directory (a log the process wrote elsewhere). */
  extraFiles?: string[];
  /** Scanned when set: every key matching `${redisPrefix}*` (SCAN, never KEYS) and its value. */
  redisUrl?: string;
  /** Default `lotse:`: every key the app writes starts with it. */
  redisPrefix?: string;
}

/** A value in the forms the app may store it in: as typed, NFKC + case folded (logins), its look-alike key (pseudonyms). */
export function storedForms(value: string): string[] {
  return unique([value, normalizeLogin(value), lookAlikeKey(value)].filter((v) => v.length > 0));
}

/** Every place that mentions a needle; `[]` means none does. */
export async function scanForNeedles(target: ScanTarget, needles: string[]): Promise<Hit[]> {
  const list = unique(needles);
  if (list.some((n) => n.trim().length < 4)) throw new Error('erasure scan: a needle shorter than 4 characters would match by chance');
  const hits: Hit[] = [];
  hits.push(...(await scanDatabase(target.ds, list)));
  const files = [...(target.dataDir ? filesUnder(target.dataDir) : []), ...(target.extraFiles ?? []).filter((f) => existsSync(f))];
  for (const f of files) hits.push(...scanBytes(readFileSync(f), list, 'file', f));
  if (target.redisUrl) hits.push(...(await scanRedis(target.redisUrl, target.redisPrefix ?? 'lotse:', list)));
  return hits;
}

/** Readable one-liners for a failing expectation. */
export function describeHits(hits: Hit[]): string[] {
  return hits.map((h) => `${h.needle} in ${h.place} ${h.location}`);
}

// ---- database -----------------------------------------------------------------------------------

interface ColumnInfo {
  name: string;
  primary: boolean;
}

async function listTables(ds: DataSource): Promise<{ table: string; columns: ColumnInfo[] }[]> {
  if (ds.options.type === 'mysql' || ds.options.type === 'mariadb') {
    const rows = await ds.query<{ t: string; c: string; k: string }[]>(
      `SELECT c.TABLE_NAME AS t, c.COLUMN_NAME AS c, c.COLUMN_KEY AS k FROM information_schema.COLUMNS c
       JOIN information_schema.TABLES tb ON tb.TABLE_SCHEMA = c.TABLE_SCHEMA AND tb.TABLE_NAME = c.TABLE_NAME
       WHERE c.TABLE_SCHEMA = DATABASE() AND tb.TABLE_TYPE = 'BASE TABLE' ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
    );
    const byTable = new Map<string, ColumnInfo[]>();
    for (const r of rows) byTable.set(r.t, [...(byTable.get(r.t) ?? []), { name: r.c, primary: r.k === 'PRI' }]);
    return [...byTable].map(([table, columns]) => ({ table, columns }));
  }
  // SQLite: sqlite_master lists every table, the internal ones (sqlite_sequence, sqlite_stat1) too
  const tables = await ds.query<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  const out: { table: string; columns: ColumnInfo[] }[] = [];
  for (const { name } of tables) {
    const cols = await ds.query<{ name: string; pk: number }[]>(`PRAGMA table_info(${quoteSqlite(name)})`);
    out.push({ table: name, columns: cols.map((c) => ({ name: c.name, primary: c.pk > 0 })) });
  }
  return out;
}

async function scanDatabase(ds: DataSource, needles: string[]): Promise<Hit[]> {
  const mysql = ds.options.type === 'mysql' || ds.options.type === 'mariadb';
  const quote = (name: string) => (mysql ? `\`${name.replace(/`/g, '``')}\`` : quoteSqlite(name));
  const hits: Hit[] = [];
  for (const { table, columns } of await listTables(ds)) {
    const rows = await ds.query<Record<string, unknown>[]>(`SELECT * FROM ${quote(table)}`);
    const keys = columns.filter((c) => c.primary).map((c) => c.name);
    rows.forEach((row, i) => {
      const rowName = keys.length ? keys.map((k) => `${k}=${String(row[k])}`).join(',') : `row ${i}`;
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const where = `${table}.${column} (${rowName})`;
        if (Buffer.isBuffer(value)) hits.push(...scanBytes(value, needles, 'table', where));
        else hits.push(...scanText(asText(value), needles, 'table', where));
      }
    });
  }
  return hits;
}

/** A column value as text: dates as ISO, JSON columns (objects) as JSON, everything else as String(). */
function asText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value.toString();
  return JSON.stringify(value);
}

function quoteSqlite(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// ---- files --------------------------------------------------------------------------------------

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    const s = statSync(p);
    return s.isDirectory() ? filesUnder(p) : s.isFile() ? [p] : [];
  });
}

// ---- Redis --------------------------------------------------------------------------------------

async function scanRedis(url: string, prefix: string, needles: string[]): Promise<Hit[]> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const hits: Hit[] = [];
  try {
    // SCAN, never KEYS: the Redis may be shared (other runs' keys may vanish between SCAN and TYPE)
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        hits.push(...scanText(key, needles, 'redis', `key ${key}`));
        const type = await redis.type(key);
        const parts = await redisValue(redis, key, type);
        for (const part of parts) hits.push(...scanBytes(part, needles, 'redis', `value ${key} (${type})`));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return hits;
}

/** The value of a key as byte strings: a string, a hash's fields and values, list/set/zset members (with scores), stream entries. */
async function redisValue(redis: Redis, key: string, type: string): Promise<Buffer[]> {
  switch (type) {
    case 'string':
      return [(await redis.getBuffer(key)) ?? Buffer.alloc(0)];
    case 'hash':
      return Object.entries(await redis.hgetallBuffer(key)).flatMap(([f, v]) => [Buffer.from(f), v]);
    case 'list':
      return redis.lrangeBuffer(key, 0, -1);
    case 'set':
      return redis.smembersBuffer(key);
    case 'zset':
      return redis.zrangeBuffer(key, 0, -1, 'WITHSCORES');
    case 'stream':
      return (await redis.xrangeBuffer(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
    case 'none':
      return []; // expired or deleted between SCAN and TYPE
    default:
      throw new Error(`erasure scan: Redis key ${key} has type ${type}, which the scan cannot read yet`);
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

// ---- matching -----------------------------------------------------------------------------------

function scanText(text: string, needles: string[], place: HitPlace, location: string): Hit[] {
  const folded = text.toLowerCase();
  return needles.filter((n) => folded.includes(n.toLowerCase())).map((needle) => ({ needle, place, location }));
}

/**
 * Case-insensitive byte search: A–Z folded to a–z on both sides, for the needle as UTF-8 and
 * UTF-16LE in its own, lower and upper case (so "ÄRGER" also finds the bytes of "ärger").
 */
function scanBytes(bytes: Buffer, needles: string[], place: HitPlace, location: string): Hit[] {
  if (bytes.length === 0) return [];
  const hay = foldAscii(bytes);
  const hits: Hit[] = [];
  for (const needle of needles) {
    for (const form of byteForms(needle)) {
      const at = hay.indexOf(form);
      if (at >= 0) {
        hits.push({ needle, place, location: place === 'file' ? `${location} @${at}` : location });
        break;
      }
    }
  }
  return hits;
}

const formCache = new Map<string, Buffer[]>();
function byteForms(needle: string): Buffer[] {
  let forms = formCache.get(needle);
  if (!forms) {
    const texts = unique([needle, needle.toLowerCase(), needle.toUpperCase()]);
    forms = texts.flatMap((t) => [foldAscii(Buffer.from(t, 'utf8')), foldAscii(Buffer.from(t, 'utf16le'))]);
    formCache.set(needle, forms);
  }
  return forms;
}

function foldAscii(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const b = out[i]!;
    if (b >= 0x41 && b <= 0x5a) out[i] = b + 0x20;
  }
  return out;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
