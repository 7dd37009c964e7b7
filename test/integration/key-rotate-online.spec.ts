import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/config';
import { masterKeyId } from '../../src/infra/crypto/master-key';
import { dataSourceOptions } from '../../src/infra/database/data-source-options';
import type { MessageView } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, seedCenter, startApp, TestApp, TestSocket } from '../harness/app';
import { createMariaDb, onMariaDb, tempDataDir } from '../harness/env';
import { refusesToStart } from '../harness/refuses-to-start';
import { DIST_CLI, requireBuild, spawnNode } from '../harness/spawn';

/**
 * key:rotate without downtime (docs/operator-tools.md): nodes run with MASTER_KEY=new and
 * MASTER_KEY_PREVIOUS=old, the CLI (its own process) re-wraps every data key while a node keeps
 * sending and reading messages; afterwards a node with only the new key reads everything and a
 * node with only the old key refuses to start.
 */
describe('operator CLI: key:rotate while a node runs', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const dataDir = tempDataDir();
  let databaseUrl: string | undefined;
  let dropDb = async (): Promise<void> => undefined;
  const open: TestApp[] = [];

  beforeAll(async () => {
    if (onMariaDb) {
      const db = await createMariaDb();
      databaseUrl = db.url;
      dropDb = db.drop;
    }
  });
  afterAll(async () => {
    closeAllSockets();
    for (const t of open) await t.close().catch(() => undefined);
    await dropDb();
  });

  const start = async (env: Record<string, string>): Promise<TestApp> => {
    const t = await startApp({
      dataDir,
      databaseUrl,
      masterKey: env.MASTER_KEY ?? null,
      env: { SOCKET_EVENT_LIMIT: '10000', MESSAGE_RATE_LIMIT: '10000', ...env },
    });
    open.push(t);
    return t;
  };
  const stop = async (t: TestApp): Promise<void> => {
    open.splice(open.indexOf(t), 1);
    await t.close();
  };
  const wrapIds = async (): Promise<Record<string, number>> => {
    const ds = await new DataSource(dataSourceOptions(loadConfig({ DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }))).initialize();
    try {
      const rows = await ds.query<{ id: string | null; n: number | string }[]>(
        'SELECT master_key_id AS id, COUNT(*) AS n FROM data_keys GROUP BY master_key_id',
      );
      return Object.fromEntries(rows.map((r) => [r.id ?? 'null', Number(r.n)]));
    } finally {
      await ds.destroy();
    }
  };
  const history = async (s: TestSocket, roomId: string): Promise<string[]> =>
    ok(await call(s, 'room.history', { roomId, limit: 200 })).messages.map((m: MessageView) => m.body);

  it('should re-wrap every data key while the node sends and reads, then run on the new key alone and refuse the old one', async () => {
    requireBuild();
    // before: the installation runs on the old key
    const t1 = await start({ MASTER_KEY: oldKey });
    const c = await seedCenter(t1, { counselors: 1, clients: 3 });
    const counselor = c.counselors[0]!;
    let s = await connect(t1.url, counselor.token);
    const rooms: { roomId: string; bodies: string[] }[] = [];
    for (let i = 0; i < 3; i++) {
      const { roomId } = ok(await call(s, 'room.create', { name: `Raum ${i}`, memberIds: [c.clients[i]!.id] }));
      const bodies = [`vorher ${i}`];
      ok(await call(s, 'message.send', { roomId, clientMsgId: `pre-${i}`, body: bodies[0]! }));
      rooms.push({ roomId, bodies });
    }
    s.disconnect();
    await stop(t1);
    expect(Object.keys(await wrapIds())).toEqual([masterKeyId(Buffer.from(oldKey, 'base64'))]);

    // step 1: the node restarts with both keys; what it creates now is still readable by a node that has only the old key
    const both = { MASTER_KEY: newKey, MASTER_KEY_PREVIOUS: oldKey };
    const t2 = await start(both);
    s = await connect(t2.url, counselor.token);
    const { roomId: lateRoom } = ok(await call(s, 'room.create', { name: 'Neu vor der Rotation', memberIds: [c.clients[0]!.id] }));
    ok(await call(s, 'message.send', { roomId: lateRoom, clientMsgId: 'late', body: 'im rollenden Neustart' }));
    rooms.push({ roomId: lateRoom, bodies: ['im rollenden Neustart'] });
    expect(Object.keys(await wrapIds())).toEqual([masterKeyId(Buffer.from(oldKey, 'base64'))]);

    // step 2: key:rotate (a process of its own) while the node keeps writing and reading
    let writing = true;
    const errors: unknown[] = [];
    let n = 0;
    const writer = (async () => {
      while (writing) {
        try {
          const room = rooms[n % rooms.length]!;
          const body = `während ${n}`;
          ok(await call(s, 'message.send', { roomId: room.roomId, clientMsgId: `during-${n}`, body }));
          room.bodies.push(body);
          expect(await history(s, room.roomId)).toEqual(room.bodies);
          if (n % 5 === 0) {
            // a new conversation during the rotation: a new data key, wrapped by whichever key the node picks
            const { roomId } = ok(await call(s, 'room.create', { name: `Während ${n}`, memberIds: [c.clients[n % 3]!.id] }));
            ok(await call(s, 'message.send', { roomId, clientMsgId: `new-${n}`, body: `neu ${n}` }));
            rooms.push({ roomId, bodies: [`neu ${n}`] });
          }
          n++;
        } catch (err) {
          errors.push(err);
          writing = false;
        }
      }
    })();
    const env: Record<string, string> = { DATA_DIR: dataDir, ...both, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
    const rotate = spawnNode(DIST_CLI, ['key:rotate', '--settle-ms', '1500'], env);
    const code = await rotate.exited;
    // keep writing a moment after the rotation too
    await new Promise((r) => setTimeout(r, 500));
    writing = false;
    await writer;
    expect(errors).toEqual([]);
    expect(rotate.stdout() + rotate.stderr()).toContain('Every data key is now wrapped by MASTER_KEY');
    expect(code).toBe(0);
    expect(n).toBeGreaterThan(5);
    const ids = await wrapIds();
    expect(Object.keys(ids)).toEqual([masterKeyId(Buffer.from(newKey, 'base64'))]);
    expect(Object.values(ids)[0]).toBeGreaterThan(5);
    s.disconnect();
    await stop(t2);

    // step 3: only the new key: every message of every room opens
    const t3 = await start({ MASTER_KEY: newKey });
    s = await connect(t3.url, counselor.token);
    for (const room of rooms) expect(await history(s, room.roomId)).toEqual(room.bodies);
    s.disconnect();
    await stop(t3);

    // only the old key: refused at start, naming the key
    await refusesToStart(
      { DATA_DIR: dataDir, MASTER_KEY: oldKey, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
      `wrapped by another master key than MASTER_KEY (id ${masterKeyId(Buffer.from(oldKey, 'base64'))})`,
    );
  });

  it('should refuse MASTER_KEY_PREVIOUS without MASTER_KEY or equal to it', () => {
    expect(() => loadConfig({ MASTER_KEY_PREVIOUS: oldKey })).toThrow('MASTER_KEY_PREVIOUS needs MASTER_KEY');
    expect(() => loadConfig({ MASTER_KEY: oldKey, MASTER_KEY_PREVIOUS: oldKey })).toThrow('must differ');
  });
});
