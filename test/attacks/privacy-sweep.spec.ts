import Database from 'better-sqlite3';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './actors';
import { plantedSecrets, server } from './server';
import { BEARER_IN_LOG, filesUnder, NeedleIndex, sweepFiles, sweepRedis } from './sweep';

/**
 * The privacy sweep (docs/security.md, "Privacy"): runs after every other attack file (the
 * sequencer, test/harness/sequencer.js) and looks for everything the suite planted — the texts it
 * typed (messages, posts, notes, room names, subjects, nicknames, file names), the passwords and
 * tokens it used, the addresses it sent as X-Forwarded-For — in every byte of the data directory
 * (the SQLite file, its -wal and -shm, the outbox, keys), in Redis (every key under `lotse:` and its
 * value) and in the server's log. None may appear: content is encrypted, tokens are stored as
 * hashes, addresses as HMACs. The log may not carry a bearer token in any form.
 */

const describeHits = (hits: { needle: string; where: string }[]) => hits.map((h) => `${h.needle} in ${h.where}`);

describe('privacy sweep', () => {
  it('should find a secret planted in a nested binary file, a SQLite row, a JSON log line and a Redis value (the sweep can fail)', async () => {
    const needle = `Sweep-Probe-Ärger-"${randomBytes(6).toString('hex')}"`;
    const dir = tempDir();
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'b', 'blob.bin'), Buffer.concat([randomBytes(4096), Buffer.from(needle.toUpperCase(), 'utf8'), randomBytes(4096)]));
    const db = new Database(join(dir, 'probe.sqlite'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
    db.prepare('INSERT INTO t (body) VALUES (?)').run(`before ${needle} after`);
    db.close();
    writeFileSync(
      join(dir, 'server.log'),
      `${JSON.stringify({ level: 30, msg: 'x', body: needle })}\n${JSON.stringify({ headers: { authorization: 'Bearer abcdefghijklmnopqrstuvwxyz012345' } })}\n`,
    );
    const other = `plain-${randomBytes(8).toString('hex')}`;
    const index = new NeedleIndex([needle, other]);
    const hits = sweepFiles(index, filesUnder(dir));
    expect(hits.map((h) => h.where.slice(dir.length)).sort()).toEqual(['/a/b/blob.bin', '/probe.sqlite', '/server.log']);
    expect(hits.every((h) => h.needle === needle)).toBe(true);
    expect(BEARER_IN_LOG.test(readFileSync(join(dir, 'server.log'), 'utf8'))).toBe(true);
    expect(BEARER_IN_LOG.test('{"headers":{"authorization":"[Redacted]"}}')).toBe(false);

    const url = server().redisUrl;
    if (url) {
      const key = `lotse:sweep-probe:${randomBytes(4).toString('hex')}`;
      const redis = new Redis(url);
      try {
        await redis.hset(key, 'field', `x${needle}x`);
        expect((await sweepRedis(index, url)).filter((h) => h.where.includes(key)).map((h) => h.needle)).toEqual([needle]);
      } finally {
        await redis.del(key);
        redis.disconnect();
      }
    }
  });

  describe('after the whole attack suite', () => {
    const secrets = plantedSecrets();
    const index = new NeedleIndex(secrets);

    it('should have planted the texts, passwords, tokens and addresses of the suite', () => {
      // the sweep is only as good as what it looks for
      expect(secrets.length).toBeGreaterThan(50);
      expect(secrets.some((s) => /^10\.\d+\.\d+\.\d+$/.test(s))).toBe(true);
      expect(secrets.some((s) => /^[A-Za-z0-9_-]{40,}$/.test(s))).toBe(true);
    });

    it('should find none of them in any file of the data directory (SQLite file, -wal, -shm, outbox, keys)', () => {
      const files = filesUnder(server().dataDir);
      expect(files.some((f) => f.endsWith('lotse.sqlite'))).toBe(true);
      // the outbox stands in for the mail server: a mail names its recipient, and nothing else planted
      const outbox = join(server().dataDir, 'outbox');
      const inOutbox = (f: string) => f.startsWith(`${outbox}/`);
      const notAddresses = new NeedleIndex(secrets.filter((s) => !/^[^\s@]+@[^\s@]+\.[a-z]+$/i.test(s)));
      expect(
        describeHits([
          ...sweepFiles(
            index,
            files.filter((f) => !inOutbox(f)),
          ),
          ...sweepFiles(notAddresses, files.filter(inOutbox)),
        ]),
      ).toEqual([]);
    });

    it('should find none of them in the server log, and no bearer token in any form', () => {
      const log = readFileSync(server().logFile);
      expect(log.length).toBeGreaterThan(1000);
      expect(describeHits(index.find(log, server().logFile))).toEqual([]);
      const bearer = log
        .toString('utf8')
        .split('\n')
        .filter((l) => BEARER_IN_LOG.test(l));
      expect(bearer).toEqual([]);
    });

    it('should find none of them in any Redis key or value under lotse:', async () => {
      const url = server().redisUrl;
      if (!url) return; // LOTSE_ATTACKS_REDIS=off: the server ran without Redis
      expect(describeHits(await sweepRedis(index, url))).toEqual([]);
    });
  });
});
