import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MessageView, ThreadPostView } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, seedCenter, SeededCenter, startApp, TestApp, TestSocket } from '../harness/app';
import { createMariaDb, onMariaDb, tempDataDir } from '../harness/env';
import { refusesToStart } from '../harness/refuses-to-start';
import { DIST_CLI, requireBuild, spawnNode } from '../harness/spawn';

const sh = promisify(execFile);
const bearer = (token: string) => `Bearer ${token}`;

/**
 * Backup and restore (docs/operator-tools.md): a server runs and keeps writing while the backup is
 * taken (SQLite: `npm run cli -- backup`; MariaDB: the documented mariadb-dump procedure); restored
 * into a fresh installation with the same MASTER_KEY, every message acknowledged before the backup
 * and every post is found decrypted, each room a gap-free prefix of what was acknowledged; with
 * another master key the restored installation refuses to start.
 */
describe('backup and restore while the server writes', () => {
  const masterKey = randomBytes(32).toString('base64');
  const dataDir = tempDataDir();
  const drops: (() => Promise<void>)[] = [];
  const open: TestApp[] = [];
  let databaseUrl: string | undefined;

  beforeAll(async () => {
    requireBuild();
    if (onMariaDb) {
      const db = await createMariaDb();
      databaseUrl = db.url;
      drops.push(db.drop);
    }
  });
  afterAll(async () => {
    closeAllSockets();
    for (const t of open) await t.close().catch(() => undefined);
    for (const d of drops) await d();
  });

  const start = async (dir: string, url: string | undefined, key = masterKey): Promise<TestApp> => {
    const t = await startApp({ dataDir: dir, databaseUrl: url, masterKey: key, env: { SOCKET_EVENT_LIMIT: '10000', MESSAGE_RATE_LIMIT: '10000' } });
    open.push(t);
    return t;
  };
  const stop = async (t: TestApp): Promise<void> => {
    open.splice(open.indexOf(t), 1);
    await t.close();
  };
  const cli = async (dir: string, ...args: string[]): Promise<{ code: number | null; out: string }> => {
    const p = spawnNode(DIST_CLI, args, { DATA_DIR: dir, MASTER_KEY: masterKey, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
    const code = await p.exited;
    return { code, out: p.stdout() + p.stderr() };
  };
  /** Every message of the room, oldest first, page by page (a slow backup lets the writer pass one page). */
  const history = async (s: TestSocket, roomId: string): Promise<MessageView[]> => {
    const all: MessageView[] = [];
    for (;;) {
      const page = ok(await call(s, 'room.history', { roomId, afterSeq: all.at(-1)?.seq ?? 0, limit: 200 })).messages;
      all.push(...page);
      if (page.length < 200) return all;
    }
  };

  interface Written {
    c: SeededCenter;
    rooms: { roomId: string; acked: string[] }[];
    threadId: string;
    posts: string[];
  }

  /** A center with rooms and a thread with posts; then `during` runs while a writer keeps sending (it returns what was acked before). */
  async function writeAround(t: TestApp, during: () => Promise<void>): Promise<Written & { before: number[] }> {
    const c = await seedCenter(t, { counselors: 1, clients: 2 });
    const s = await connect(t.url, c.counselors[0]!.token);
    const rooms: Written['rooms'] = [];
    for (let i = 0; i < 3; i++) {
      const { roomId } = ok(await call(s, 'room.create', { name: `Raum ${i}`, memberIds: [c.clients[i % 2]!.id] }));
      rooms.push({ roomId, acked: [] });
    }
    const client = c.clients[0]!;
    const created = await t
      .http()
      .post('/api/threads')
      .set('Authorization', bearer(client.token))
      .send({ subject: 'Sicherung', body: 'Beitrag 0' })
      .expect(201);
    const threadId = (created.body as { id: string }).id;
    const posts = ['Beitrag 0'];
    for (let i = 1; i <= 3; i++) {
      await t
        .http()
        .post(`/api/threads/${threadId}/posts`)
        .set('Authorization', bearer(client.token))
        .send({ body: `Beitrag ${i}`, clientPostId: `p${i}` })
        .expect(201);
      posts.push(`Beitrag ${i}`);
    }
    let n = 0;
    const send = async () => {
      const room = rooms[n % rooms.length]!;
      const body = `Nachricht ${n}`;
      ok(await call(s, 'message.send', { roomId: room.roomId, clientMsgId: `m-${n}`, body }));
      room.acked.push(body);
      n++;
    };
    for (let i = 0; i < 30; i++) await send();
    let writing = true;
    const errors: unknown[] = [];
    const writer = (async () => {
      while (writing) {
        try {
          await send();
        } catch (err) {
          errors.push(err);
          writing = false;
        }
      }
    })();
    // give the writer a head start, so the backup is taken while messages keep coming
    await new Promise((r) => setTimeout(r, 300));
    const before = rooms.map((r) => r.acked.length);
    await during();
    await new Promise((r) => setTimeout(r, 300));
    writing = false;
    await writer;
    expect(errors).toEqual([]);
    expect(rooms.map((r) => r.acked.length).reduce((a, b) => a + b)).toBeGreaterThan(before.reduce((a, b) => a + b));
    s.disconnect();
    return { c, rooms, threadId, posts, before };
  }

  /** In the restored installation: every message acked before the backup, each room a gap-free prefix of the acked ones, every post. */
  async function expectRestored(t: TestApp, w: Written & { before: number[] }): Promise<void> {
    const s = await connect(t.url, w.c.counselors[0]!.token);
    for (const [i, room] of w.rooms.entries()) {
      const got = await history(s, room.roomId);
      expect(got.map((m) => m.seq)).toEqual(got.map((_, k) => k + 1));
      expect(got.length).toBeGreaterThanOrEqual(w.before[i]!);
      expect(got.map((m) => m.body)).toEqual(room.acked.slice(0, got.length));
    }
    s.disconnect();
    const posts = await t.http().get(`/api/threads/${w.threadId}/posts`).set('Authorization', bearer(w.c.clients[0]!.token)).expect(200);
    expect((posts.body as { posts: ThreadPostView[] }).posts.map((p) => p.body)).toEqual(w.posts);
  }

  (onMariaDb ? it.skip : it)(
    'should back up online while the server writes, restore into a fresh installation and find every message and post with the same master key',
    async () => {
      const t = await start(dataDir, undefined);
      const backupFile = join(tempDataDir(), 'lotse-backup.sqlite');
      let backup = { code: null as number | null, out: '' };
      const w = await writeAround(t, async () => {
        backup = await cli(dataDir, 'backup', '--out', backupFile);
      });
      expect(backup.out).toContain('Wrote a consistent backup');
      expect(backup.code).toBe(0);
      expect(statSync(backupFile).mode & 0o777).toBe(0o600);
      expect(backup.out).toContain('master key is not in the backup');
      // a second backup to the same file is refused (no silent overwrite)
      expect(await cli(dataDir, 'backup', '--out', backupFile)).toMatchObject({ code: 1 });

      // restore refuses while a server runs on the target
      const running = await cli(dataDir, 'restore', '--from', backupFile, '--force');
      expect(running.out).toContain('stop it before restore');
      expect(running.code).toBe(1);
      await stop(t);

      // into a fresh installation: only the backup file and the master key of the time
      const fresh = tempDataDir();
      const restored = await cli(fresh, 'restore', '--from', backupFile);
      expect(restored.out).toContain('wrapped by the configured master key');
      expect(restored.code).toBe(0);
      expect(existsSync(join(fresh, 'master.key'))).toBe(false);
      const t2 = await start(fresh, undefined);
      await expectRestored(t2, w);
      await stop(t2);

      // over a database that holds data: only with --force
      const again = await cli(fresh, 'restore', '--from', backupFile);
      expect(again.out).toContain('holds data');
      expect(again.code).toBe(1);
      expect(await cli(fresh, 'restore', '--from', backupFile, '--force')).toMatchObject({ code: 0 });
      // not a backup: refused before anything is replaced
      expect((await cli(fresh, 'restore', '--from', join(fresh, 'nothing.sqlite'), '--force')).code).toBe(1);

      // another master key: the restored installation refuses to start
      await refusesToStart({ DATA_DIR: fresh, MASTER_KEY: randomBytes(32).toString('base64') }, 'wrapped by another master key');
    },
  );

  (onMariaDb ? it : it.skip)(
    'should answer backup and restore with the mariadb-dump procedure, and the procedure restores every message and post into a fresh database',
    async () => {
      const t = await start(dataDir, databaseUrl);
      for (const command of [
        ['backup', '--out', join(dataDir, 'x.sql')],
        ['restore', '--from', join(dataDir, 'x.sql')],
      ]) {
        const r = await cli(dataDir, ...command);
        expect(r.out).toContain('mariadb-dump --single-transaction');
        expect(r.code).toBe(1);
      }
      const url = new URL(databaseUrl!);
      const conn = [
        '-h',
        url.hostname,
        '-P',
        url.port || '3306',
        '-u',
        decodeURIComponent(url.username) || 'root',
        ...(url.password ? [`-p${decodeURIComponent(url.password)}`] : []),
      ];
      const dumpFile = join(tempDataDir(), 'lotse.sql');
      const w = await writeAround(t, async () => {
        // the documented procedure (without gzip): a consistent snapshot while the node writes
        await sh('sh', [
          '-c',
          `mariadb-dump --single-transaction --quick --routines --triggers --hex-blob ${conn.join(' ')} ${url.pathname.slice(1)} > ${dumpFile}`,
        ]);
      });
      await stop(t);
      const target = await createMariaDb();
      drops.push(target.drop);
      await sh('sh', ['-c', `mariadb ${conn.join(' ')} ${target.name} < ${dumpFile}`]);
      const t2 = await start(tempDataDir(), target.url);
      await expectRestored(t2, w);
      await stop(t2);
      await refusesToStart(
        { DATA_DIR: tempDataDir(), DATABASE_URL: target.url, MASTER_KEY: randomBytes(32).toString('base64') },
        'wrapped by another master key',
      );
    },
  );
});
