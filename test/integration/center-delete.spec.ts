import { DataSource } from 'typeorm';
import { runCli } from '../../src/cli';
import { centerTables } from '../../src/modules/centers/center-deletion';
import { StatsService } from '../../src/modules/stats/stats.service';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, seedCenter, SeededCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';
import { createMariaDb, onMariaDb, REDIS_URL, TEST_MASTER_KEY, tempDataDir } from '../harness/env';
import { createRoom } from '../factories';

/**
 * `center:delete` (the operator CLI; `npm run load -- clean` ends with it): every row of the center
 * goes, in every table, and nothing of another center; running nodes end the center's sessions at
 * once through Redis; it refuses while it cannot reach the nodes that may still run.
 */
describe('center:delete', () => {
  const dataDir = tempDataDir();
  let databaseUrl: string | undefined;
  let dropDb = async (): Promise<void> => undefined;
  let t: TestApp;
  let gone: SeededCenter;
  let stays: SeededCenter;
  let goneSocket: TestSocket;
  let staysSocket: TestSocket;
  let staysRoom: string;

  const baseEnv = (): Record<string, string> => ({ DATA_DIR: dataDir, MASTER_KEY: TEST_MASTER_KEY, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  async function cli(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const code = await runCli(argv, env, (l) => lines.push(l));
    return { code, out: lines.join('\n') };
  }
  /** Rows of the center in every table of its data, and its own row. */
  async function rowsOf(ds: DataSource, centerId: string): Promise<Record<string, number>> {
    // statistics are counted in memory and written once a second: what is pending is written first
    await t.app.get(StatsService).flush();
    const counts: Record<string, number> = {};
    for (const meta of centerTables(ds)) {
      counts[meta.tableName] = await ds.createQueryBuilder().from(meta.target, 'x').where('x.centerId = :centerId', { centerId }).getCount();
    }
    const [row] = await ds.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM centers WHERE id = ?', [centerId]);
    counts.centers = Number(row!.n);
    return counts;
  }
  /** A center with something in each kind of conversation: a direct room with a message, a thread, a visitor token. */
  async function populate(slug: string): Promise<{ center: SeededCenter; socket: TestSocket; roomId: string }> {
    const center = await seedCenter(t, { slug, counselors: 1, clients: 1 });
    const socket = await connect(t.url, center.counselors[0]!.token);
    const roomId = await createRoom(socket, { memberIds: [center.clients[0]!.id] });
    ok(await call(socket, 'message.send', { roomId, clientMsgId: `m-${slug}`, body: `Nachricht aus ${slug}` }));
    await t
      .http()
      .post('/api/threads')
      .set('Authorization', `Bearer ${center.clients[0]!.token}`)
      .send({ subject: 'Anfrage', body: `Brief aus ${slug}` })
      .expect(201);
    await visitor(t, slug);
    return { center, socket, roomId };
  }

  beforeAll(async () => {
    if (onMariaDb) {
      const db = await createMariaDb();
      databaseUrl = db.url;
      dropDb = db.drop;
    }
    t = await startApp({ dataDir, databaseUrl });
    ({ center: gone, socket: goneSocket } = await populate('gone-center'));
    ({ center: stays, socket: staysSocket, roomId: staysRoom } = await populate('stays-center'));
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await dropDb();
  });

  it('should delete nothing unless --confirm repeats the slug', async () => {
    const before = await rowsOf(t.app.get(DataSource), gone.centerId);
    const { code, out } = await cli({ ...baseEnv(), ...(onMariaDb ? { REDIS_URL } : {}) }, 'center:delete', '--slug', 'gone-center', '--confirm', 'gone');
    expect(code).not.toBe(0);
    expect(out).toContain('--confirm must repeat the slug "gone-center" exactly; nothing was deleted.');
    expect(await rowsOf(t.app.get(DataSource), gone.centerId)).toEqual(before);
    expect(before.accounts).toBeGreaterThanOrEqual(3);
    expect(before.messages).toBe(1);
  });

  it('should refuse while a node may run that it cannot reach (SQLite: the server runs; MariaDB: no REDIS_URL and no --offline)', async () => {
    const before = await rowsOf(t.app.get(DataSource), gone.centerId);
    const { code, out } = await cli(baseEnv(), 'center:delete', '--slug', 'gone-center', '--confirm', 'gone-center');
    expect(code).not.toBe(0);
    expect(out).toMatch(
      onMariaDb ? /Without REDIS_URL the CLI cannot tell a running node/ : /is running on .*: stop it before center:delete; nothing was deleted/,
    );
    expect(await rowsOf(t.app.get(DataSource), gone.centerId)).toEqual(before);
  });

  it('should delete every row of the center, end its sessions, and leave the other center whole', async () => {
    const staysBefore = await rowsOf(t.app.get(DataSource), stays.centerId);
    const goneToken = gone.counselors[0]!.token;
    let out: string;
    if (onMariaDb) {
      // the node runs: Redis tells it to end the center's sessions at once
      const disconnected = new Promise<string>((resolve) => goneSocket.once('disconnect', (reason) => resolve(reason)));
      const r = await cli({ ...baseEnv(), REDIS_URL }, 'center:delete', '--slug', 'gone-center', '--confirm', 'gone-center');
      expect(r.code).toBe(0);
      out = r.out;
      await expect(disconnected).resolves.toBe('io server disconnect');
      expect(out).toMatch(/The running nodes ended \d+ sessions of the center/);
    } else {
      // SQLite: the server is stopped for it, and started again afterwards
      closeAllSockets();
      await t.close();
      const r = await cli(baseEnv(), 'center:delete', '--slug', 'gone-center', '--confirm', 'gone-center');
      expect(r.code).toBe(0);
      out = r.out;
      t = await startApp({ dataDir });
      staysSocket = await connect(t.url, stays.counselors[0]!.token);
    }
    expect(out).toMatch(/Deleted center "gone-center" \([0-9a-f-]{36}\): \d+ rows in \d+ tables\./);
    expect(out).toMatch(/ {2}messages: 1\b/);
    expect(out).toContain('Backups taken before still hold the center');

    const after = await rowsOf(t.app.get(DataSource), gone.centerId);
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
    expect(await rowsOf(t.app.get(DataSource), stays.centerId)).toEqual(staysBefore);

    await t.http().get('/api/threads').set('Authorization', `Bearer ${goneToken}`).expect(401);
    // the other center works as before
    await t.http().get('/api/threads').set('Authorization', `Bearer ${stays.clients[0]!.token}`).expect(200);
    ok(await call(staysSocket, 'message.send', { roomId: staysRoom, clientMsgId: 'after-delete', body: 'noch da' }));
  });

  it('should answer NOT_FOUND for a center that does not exist, and delete nothing', async () => {
    // on SQLite a database of its own (the test's server holds the other one)
    const env: Record<string, string> = onMariaDb ? { ...baseEnv(), REDIS_URL } : { DATA_DIR: tempDataDir(), MASTER_KEY: TEST_MASTER_KEY };
    const { code, out } = await cli(env, 'center:delete', '--slug', 'gone-center', '--confirm', 'gone-center');
    expect(code).not.toBe(0);
    expect(out).toMatch(/NOT_FOUND: The center was not found/);
  });
});
