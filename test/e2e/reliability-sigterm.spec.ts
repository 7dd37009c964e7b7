import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import request from 'supertest';
import type { Ack, MessageSendResult } from '../../src/realtime/contract';
import { DrainService } from '../../src/realtime/drain.service';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, seedCenter, startApp, TestApp, TestSocket } from '../harness/app';
import { loginAt, PASSWORD, registerAt } from '../harness/cluster';
import { TEST_MASTER_KEY } from '../harness/env';
import { DIST_MAIN, freePort, requireBuild, spawnNode, Spawned } from '../harness/spawn';
import { createRoom } from '../factories';

describe('draining (what SIGTERM starts)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  it('should turn readiness false, refuse new handshakes, still answer open sockets, then hand them over', async () => {
    const c = await seedCenter(t, { counselors: 1, clients: 1 });
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const roomId = await createRoom(counselor, { memberIds: [c.clients[0]!.id] });
    expect((await t.http().get('/health/ready').expect(200)).body).toMatchObject({ status: 'ok', database: 'up' });

    t.app.get(DrainService).begin();
    expect((await t.http().get('/health/ready').expect(503)).body).toMatchObject({ status: 'draining', database: 'up' });
    expect((await t.http().get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    // the contract's /health is unchanged: the dependencies are fine
    expect((await t.http().get('/health').expect(200)).body).toMatchObject({ status: 'ok', database: 'up' });
    await expect(connect(t.url, c.clients[0]!.token)).rejects.toThrow();
    // open sockets still get their answers until they are handed over
    ok(await call(counselor, 'message.send', { roomId, clientMsgId: randomUUID(), body: 'while draining' }));
    const reason = new Promise<string>((resolve) => counselor.once('disconnect', (r) => resolve(r)));
    expect(t.app.get(DrainService).disconnectLocal()).toBe(1);
    await expect(reason).resolves.toBe('io server disconnect');
  });
});

describe('SIGTERM of a spawned node', () => {
  const env = (dataDir: string, port: number): Record<string, string> => ({
    PORT: String(port),
    DATA_DIR: dataDir,
    MASTER_KEY: TEST_MASTER_KEY,
    DEMO: 'on',
    DEMO_PASSWORD: PASSWORD,
    CLIENT: 'off',
    LOG_LEVEL: 'info',
    RATE_LIMITS: 'off',
    MESSAGE_RATE_LIMIT: '100000',
    SOCKET_EVENT_LIMIT: '100000',
  });
  let node: Spawned | null = null;
  const sockets: TestSocket[] = [];

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await node?.stop();
  });

  async function start(dataDir: string): Promise<string> {
    const port = await freePort();
    node = spawnNode(DIST_MAIN, [], env(dataDir, port));
    await node.waitFor(/Lotse listens/, 60_000);
    return `http://127.0.0.1:${port}`;
  }
  const open = (url: string, token: string): Promise<TestSocket> => {
    const s: TestSocket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  };

  it('should answer the commands in flight, disconnect its sockets and exit 0 within 10 s; nothing acked is lost', async () => {
    requireBuild();
    const dataDir = mkdtempSync(join(tmpdir(), 'lotse-sigterm-'));
    let url = await start(dataDir);
    const anna = await loginAt(url, 'demo', 'anna@demo.example');
    const kim = await registerAt(url, 'demo', `kim-${randomUUID().slice(0, 8)}`);
    const annaSocket = await open(url, anna.token);
    const kimSocket = await open(url, kim.token);
    const roomId = ok(await call(annaSocket, 'room.create', { name: 'Before the shutdown', memberIds: [kim.account.id] })).roomId;
    ok(await call(kimSocket, 'room.join', { roomId }));
    const reasons = [annaSocket, kimSocket].map((s) => new Promise<string>((resolve) => s.once('disconnect', (r) => resolve(r))));

    // a burst of sends; SIGTERM as soon as the first is answered (the rest are in flight)
    const ids = Array.from({ length: 40 }, () => randomUUID());
    let first!: () => void;
    const firstAck = new Promise<void>((r) => (first = r));
    const answers = ids.map((clientMsgId, i) =>
      call(annaSocket, 'message.send', { roomId, clientMsgId, body: `burst ${i}` }, 12_000)
        .then((a: Ack<MessageSendResult>) => {
          first();
          return a;
        })
        .catch(() => 'no ack' as const),
    );
    await firstAck;
    const proc = node!;
    const t0 = performance.now();
    proc.child.kill('SIGTERM');
    const code = await proc.exited;
    const took = performance.now() - t0;
    expect({ code, took: took < 10_000 }).toEqual({ code: 0, took: true });
    expect(proc.stdout() + proc.stderr()).toMatch(/sockets handed over/);
    // the clients were handed over (server-side disconnect), not dropped by a dying process
    await expect(Promise.all(reasons)).resolves.toEqual(['io server disconnect', 'io server disconnect']);
    const settled = await Promise.all(answers);
    // every command that was in flight was answered before the sockets went
    expect(settled.filter((a) => a === 'no ack')).toEqual([]);
    const acked = settled.map((a) => ok(a as Ack<MessageSendResult>));

    // on the next start (same data): every acked message is there once, in seq order
    url = await start(dataDir);
    const again = await loginAt(url, 'demo', 'anna@demo.example');
    const s = await open(url, again.token);
    ok(await call(s, 'room.join', { roomId }));
    const messages = ok(await call(s, 'room.history', { roomId, afterSeq: 0, limit: 100 })).messages;
    expect(messages.map((m) => m.clientMsgId).sort()).toEqual([...ids].sort());
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(acked.map((a) => a.id).sort()).toEqual(messages.map((m) => m.id).sort());
    await request(url).get('/health/ready').expect(200);
  });
});
