import Redis from 'ioredis';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { runCli } from '../../src/cli';
import { unwrapDataKey } from '../../src/modules/crypto/crypto.service';
import type { DataKey } from '../../src/modules/crypto/data-key.entity';
import type { LoginResult, MessageView } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, login, seedCenter, SeededCenter, startApp, TestApp, TestSocket } from '../harness/app';
import { onMariaDb, REDIS_URL, tempDataDir, TEST_DB, TEST_MASTER_KEY } from '../harness/env';

type Started = TestApp & { dropDb: () => Promise<void> };
type KeyRow = Pick<DataKey, 'id' | 'centerId' | 'scope' | 'version' | 'wrappedKey' | 'masterKeyId'>;
interface MessageRow {
  id: string;
  center_id: string;
  sender_id: string;
  body: string;
}

const PASSWORD = 'Correct-Horse-9-Battery';
const iso = (msFromNow: number): string => new Date(Date.now() + msFromNow).toISOString();

const keyRows = async (ds: DataSource): Promise<KeyRow[]> =>
  (
    await ds.query<{ id: string; center_id: string; scope: string; version: number; wrapped_key: string; master_key_id: string | null }[]>(
      'SELECT id, center_id, scope, version, wrapped_key, master_key_id FROM data_keys',
    )
  ).map((r) => ({ id: r.id, centerId: r.center_id, scope: r.scope, version: Number(r.version), wrappedKey: r.wrapped_key, masterKeyId: r.master_key_id }));

/** What an attacker holding the keys could read of a message body, or null. */
function tryDecrypt(keys: Map<string, { key: Buffer; version: number }>, m: MessageRow): string | null {
  const [, keyId, iv, tag, ct] = m.body.split(':');
  const k = keyId ? keys.get(keyId) : undefined;
  if (!k || iv === undefined || tag === undefined || ct === undefined) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', k.key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(`${m.center_id}|messages|body|${m.id}|${k.version}`));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Every key of `rows` that `master` opens. */
function openable(rows: KeyRow[], master: Buffer): Map<string, { key: Buffer; version: number }> {
  const out = new Map<string, { key: Buffer; version: number }>();
  for (const r of rows) {
    try {
      out.set(r.id, { key: unwrapDataKey(master, r), version: r.version });
    } catch {
      // not this master key's
    }
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every Redis key and value as text (shared Redis: keys of other runs may vanish while we read). */
async function redisDump(): Promise<string[]> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const out: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        out.push(key);
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'list'
                ? await redis.lrange(key, 0, -1)
                : type === 'set'
                  ? await redis.smembers(key)
                  : type === 'zset'
                    ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                    : type === 'stream'
                      ? await redis.xrange(key, '-', '+')
                      : null;
        out.push(JSON.stringify(value));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return out;
}

describe(`account deletion leaves nothing (${TEST_DB})`, () => {
  // SQLite: the embedded default, master key in the data dir (file mode). MariaDB: MASTER_KEY set.
  const dataDir = tempDataDir();
  const backupDir = tempDataDir();
  let t: Started;
  let c: SeededCenter;
  let databaseUrl: string | undefined;
  const tag = randomBytes(4).toString('hex');
  const username = `Nachtfalter_${tag}`;
  const email = `falter.${tag}@example.org`;
  const nickname = `Motte${tag}`;
  let leaver: { id: string; token: string };

  beforeAll(async () => {
    t = await startApp({ dataDir, masterKey: onMariaDb ? TEST_MASTER_KEY : null });
    databaseUrl = t.config.database.kind === 'mysql' ? t.config.database.url : undefined;
    c = await seedCenter(t, { counselors: 1, clients: 1 });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  it('should keep no byte of the account, and a backup from before should open nothing after key:rotate, when a client deletes their account', async () => {
    const counselor = c.counselors[0]!;
    const bystander = c.clients[0]!;
    const reg = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD, email }).expect(201);
    leaver = { id: (reg.body as LoginResult).account.id, token: (reg.body as LoginResult).token };
    await login(t, c.slug, username, PASSWORD); // a login leaves limiter state behind, too
    expect(readFileSync(join(dataDir, 'outbox', readdirSync(join(dataDir, 'outbox'))[0]!), 'utf8')).toContain(email);

    const cs = await connect(t.url, counselor.token);
    const ls = await connect(t.url, leaver.token);
    const bs = await connect(t.url, bystander.token);
    const direct = ok(await call(cs, 'room.create', { name: 'Einzelgespräch', memberIds: [leaver.id] })).roomId;
    const group = ok(await call(cs, 'room.create', { name: 'Gruppe Mittwoch', memberIds: [leaver.id, bystander.id] })).roomId;
    for (const s of [ls, cs, bs]) {
      ok(await call(s, 'room.join', { roomId: group }));
    }
    ok(await call(ls, 'room.join', { roomId: direct }));
    ok(await call(ls, 'message.send', { roomId: direct, clientMsgId: 'd1', body: 'Mir geht es nicht gut' }));
    ok(await call(cs, 'message.send', { roomId: direct, clientMsgId: 'd2', body: 'Ich bin da' }));
    ok(await call(ls, 'message.send', { roomId: group, clientMsgId: 'g1', body: 'Hallo Gruppe' }));
    ok(await call(bs, 'message.send', { roomId: group, clientMsgId: 'g2', body: 'Hallo zurück' }));
    ok(await call(cs, 'message.send', { roomId: group, clientMsgId: 'g3', body: 'Willkommen' }));

    const topic = await t
      .http()
      .post(`/api/centers/${c.slug}/topic-chats`)
      .set('Authorization', `Bearer ${counselor.token}`)
      .send({ title: 'Prüfungsangst', description: 'Austausch', capacity: 10, startsAt: iso(-60_000), endsAt: iso(3_600_000) })
      .expect(201);
    const topicRoom = ok(await call(ls, 'topic.join', { topicChatId: (topic.body as { id: string }).id, nickname })).roomId;
    ok(await call(ls, 'message.send', { roomId: topicRoom, clientMsgId: 't1', body: 'Ich habe auch Angst' }));
    ok(await call(cs, 'topic.join', { topicChatId: (topic.body as { id: string }).id, nickname: 'Host' }));
    ok(await call(cs, 'message.send', { roomId: topicRoom, clientMsgId: 't2', body: 'Das ist normal' }));

    // the backup: a consistent copy of the database taken before the deletion
    const ds = t.app.get(DataSource);
    const backupFile = join(backupDir, 'backup.sqlite');
    let backup: { keys: KeyRow[]; messages: MessageRow[] };
    if (onMariaDb) {
      backup = { keys: await keyRows(ds), messages: await ds.query<MessageRow[]>('SELECT id, center_id, sender_id, body FROM messages') };
    } else {
      await ds.query(`VACUUM INTO '${backupFile}'`);
      const b = await new DataSource({ type: 'better-sqlite3', database: backupFile }).initialize();
      backup = { keys: await keyRows(b), messages: await b.query<MessageRow[]>('SELECT id, center_id, sender_id, body FROM messages') };
      await b.destroy();
    }
    const leaverMessages = backup.messages.filter((m) => m.sender_id === leaver.id);
    expect(leaverMessages).toHaveLength(3);
    const oldMaster = onMariaDb ? Buffer.from(TEST_MASTER_KEY, 'base64') : Buffer.from(readFileSync(join(dataDir, 'master.key'), 'utf8').trim(), 'base64');
    // the backup is readable with the key of its time (the test of the test)
    expect(leaverMessages.map((m) => tryDecrypt(openable(backup.keys, oldMaster), m)).sort()).toEqual([
      'Hallo Gruppe',
      'Ich habe auch Angst',
      'Mir geht es nicht gut',
    ]);

    await t.http().delete('/api/accounts/me').set('Authorization', `Bearer ${leaver.token}`).send({ password: PASSWORD }).expect(204);

    // no row, file or Redis key mentions the account any more
    const traces = [leaver.id, username, username.toLowerCase(), email, nickname];
    const found = (haystack: string | Buffer, where: string) =>
      traces.filter((s) => (typeof haystack === 'string' ? haystack.includes(s) : haystack.includes(Buffer.from(s, 'utf8')))).map((s) => `${s} in ${where}`);
    const leftovers: string[] = [];
    if (onMariaDb) {
      const tables = await ds.query<{ name: string }[]>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()');
      for (const { name } of tables) leftovers.push(...found(JSON.stringify(await ds.query(`SELECT * FROM \`${name}\``)), `table ${name}`));
      leftovers.push(...found((await redisDump()).join('\n'), 'Redis'));
    } else {
      const files = filesUnder(dataDir);
      expect(files).toEqual(expect.arrayContaining([join(dataDir, 'lotse.sqlite'), join(dataDir, 'lotse.sqlite-wal'), join(dataDir, 'lotse.sqlite-shm')]));
      for (const f of files) leftovers.push(...found(readFileSync(f), f));
    }
    expect(leftovers).toEqual([]);
    // the 1:1 room went with its key; the group and topic rooms stay, without the leaver
    expect(await ds.query('SELECT id FROM rooms WHERE id = ?', [direct])).toHaveLength(0);
    expect((await keyRows(ds)).map((k) => k.scope)).not.toEqual(expect.arrayContaining([`room:${direct}`]));
    expect((await keyRows(ds)).filter((k) => k.scope === `account:${leaver.id}`)).toHaveLength(0);
    closeAllSockets();

    // key:rotate with every node stopped; then the installation runs on the new key only
    await t.close();
    const lines: string[] = [];
    const newKeyFile = join(backupDir, 'new.key');
    const cliEnv: Record<string, string> = { DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl, MASTER_KEY: TEST_MASTER_KEY } : {}) };
    if (onMariaDb) writeFileSync(newKeyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    expect(await runCli(['key:rotate', ...(onMariaDb ? ['--new-key-file', newKeyFile] : [])], cliEnv, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toContain('Re-wrapped');
    const newMaster = Buffer.from(readFileSync(onMariaDb ? newKeyFile : join(dataDir, 'master.key'), 'utf8').trim(), 'base64');
    expect(newMaster.equals(oldMaster)).toBe(false);
    if (!onMariaDb) expect(existsSync(join(dataDir, 'master.key.next'))).toBe(false);

    t = Object.assign(await startApp({ dataDir, databaseUrl, masterKey: onMariaDb ? newMaster.toString('base64') : null }), { dropDb: t.dropDb });
    const live = await keyRows(t.app.get(DataSource));
    // the backup opens nothing with the new key, not even together with the live database's keys
    expect(openable(backup.keys, newMaster).size).toBe(0);
    const attacker = openable(live, newMaster);
    expect(attacker.size).toBe(live.length);
    expect(leaverMessages.map((m) => tryDecrypt(attacker, m))).toEqual([null, null, null]);

    // while the live installation still reads everything of the others
    const cs2 = await connect(t.url, counselor.token);
    const history = async (s: TestSocket, roomId: string): Promise<string[]> =>
      ok(await call(s, 'room.history', { roomId })).messages.map((m: MessageView) => `${m.sender.displayName}: ${m.body}`);
    expect(await history(cs2, group)).toEqual([`${bystander.displayName}: Hallo zurück`, `${counselor.displayName}: Willkommen`]);
    expect(await history(cs2, topicRoom)).toEqual([`${counselor.displayName}: Das ist normal`]);
    const rooms = (await t.http().get('/api/rooms').set('Authorization', `Bearer ${bystander.token}`).expect(200)).body as { id: string; name: string }[];
    expect(rooms.find((r) => r.id === group)?.name).toBe('Gruppe Mittwoch');
    expect(await call(cs2, 'room.history', { roomId: direct })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('should destroy every key of a room and leave its id in no file when a counselor deletes the room', async () => {
    const counselor = await login(t, c.slug, c.counselors[0]!.login, PASSWORD);
    const s = await connect(t.url, counselor.token);
    const name = `Raum-${tag}`;
    const { roomId } = ok(await call(s, 'room.create', { name, memberIds: [c.clients[0]!.id] }));
    ok(await call(s, 'message.send', { roomId, clientMsgId: 'x1', body: `Inhalt-${tag}` }));
    const ds = t.app.get(DataSource);
    const roomKeys = async () => (await keyRows(ds)).filter((k) => k.scope.startsWith(`room:${roomId}`)).length;
    expect(await roomKeys()).toBe(3); // the room's key (its name) and a member key each (their names, messages)
    await t.http().delete(`/api/rooms/${roomId}`).set('Authorization', `Bearer ${counselor.token}`).expect(204);
    expect(await roomKeys()).toBe(0);
    expect(await ds.query('SELECT subject_id FROM room_members WHERE room_id = ?', [roomId])).toHaveLength(0);
    if (!onMariaDb) {
      const leftovers = filesUnder(dataDir).filter((f) => readFileSync(f).includes(Buffer.from(roomId)));
      expect(leftovers).toEqual([]);
    }
  });
});
