import Redis from 'ioredis';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The privacy sweep's search (test/attacks/privacy-sweep.spec.ts): thousands of planted secrets in
 * every byte of the data directory, the log and Redis. test/harness/erasure-scan.ts searches a few
 * needles one by one; here every position of a haystack is looked up once in an index of the
 * needles' first eight bytes, so the cost does not grow with the number of secrets. ASCII case is
 * folded on both sides; each secret is also looked for as it appears inside a JSON string (a log
 * line escapes quotes, backslashes and control characters).
 */

export interface SweepHit {
  needle: string;
  where: string;
}

const KEY = 8;

function fold(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const b = out[i]!;
    if (b >= 0x41 && b <= 0x5a) out[i] = b + 0x20;
  }
  return out;
}

export class NeedleIndex {
  private readonly byKey = new Map<number, Map<number, { needle: string; form: Buffer }[]>>();
  private readonly short: { needle: string; form: Buffer }[] = [];

  constructor(readonly needles: string[]) {
    for (const needle of new Set(needles)) {
      const forms = new Set([needle, JSON.stringify(needle).slice(1, -1)]);
      for (const f of forms) {
        const form = fold(Buffer.from(f, 'utf8'));
        if (form.length < KEY) {
          this.short.push({ needle, form });
          continue;
        }
        const a = form.readUInt32LE(0);
        const b = form.readUInt32LE(4);
        let inner = this.byKey.get(a);
        if (!inner) this.byKey.set(a, (inner = new Map<number, { needle: string; form: Buffer }[]>()));
        const list = inner.get(b) ?? [];
        list.push({ needle, form });
        inner.set(b, list);
      }
    }
  }

  /** Every needle found in `bytes`, each once. */
  find(bytes: Buffer, where: string): SweepHit[] {
    const hay = fold(bytes);
    const found = new Set<string>();
    for (let i = 0; i + KEY <= hay.length; i++) {
      const inner = this.byKey.get(hay.readUInt32LE(i));
      if (!inner) continue;
      const list = inner.get(hay.readUInt32LE(i + 4));
      if (!list) continue;
      for (const { needle, form } of list) if (!found.has(needle) && hay.compare(form, 0, form.length, i, i + form.length) === 0) found.add(needle);
    }
    for (const { needle, form } of this.short) if (!found.has(needle) && hay.includes(form)) found.add(needle);
    return [...found].map((needle) => ({ needle, where }));
  }
}

export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    const s = statSync(p);
    return s.isDirectory() ? filesUnder(p) : s.isFile() ? [p] : [];
  });
}

export function sweepFiles(index: NeedleIndex, files: string[]): SweepHit[] {
  return files.filter((f) => existsSync(f)).flatMap((f) => index.find(readFileSync(f), f));
}

/** Every key under `prefix` (SCAN, never KEYS: the Redis is shared) with its value, searched. */
export async function sweepRedis(index: NeedleIndex, url: string, prefix = 'lotse:'): Promise<SweepHit[]> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const hits: SweepHit[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const parts: Buffer[] = [Buffer.from(key)];
        if (type === 'string') parts.push((await redis.getBuffer(key)) ?? Buffer.alloc(0));
        else if (type === 'hash') parts.push(...Object.entries(await redis.hgetallBuffer(key)).flatMap(([f, v]) => [Buffer.from(f), v]));
        else if (type === 'list') parts.push(...(await redis.lrangeBuffer(key, 0, -1)));
        else if (type === 'set') parts.push(...(await redis.smembersBuffer(key)));
        else if (type === 'zset') parts.push(...(await redis.zrangeBuffer(key, 0, -1, 'WITHSCORES')));
        else if (type === 'stream') parts.push(...(await redis.xrangeBuffer(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]));
        hits.push(...index.find(Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')])), `redis ${key} (${type})`));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return hits;
}

/** A bearer token in a log line (an Authorization header, a token field), whatever its value. */
export const BEARER_IN_LOG = /bearer\s+[A-Za-z0-9._~+/-]{16,}=*|"(?:token|authorization|access_token)"\s*:\s*"[A-Za-z0-9._~+/-]{16,}/i;
