import { randomUUID } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import type { Ack, MessageSendResult } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import { connect, seedCenter, TestApp } from '../harness/app';
import { createRoom } from '../factories';
import { PrivateApp, startPrivateApp } from '../harness/private-app';
import type { PrivateMariaDb } from '../harness/services';

/**
 * MariaDB restarted under a running node (a private mariadbd of this file; never the shared 3306):
 * no ack for anything that was not committed, `/health` and `/health/ready` say `database: "down"`
 * while it is away, and the pool recovers without restarting Lotse.
 */
describe('MariaDB restart', () => {
  let p: PrivateApp;
  let db: PrivateMariaDb;
  let databaseUrl: string;
  let t: TestApp;

  beforeAll(async () => {
    p = await startPrivateApp({ mariadb: true, env: { MESSAGE_RATE_LIMIT: '100000', SOCKET_EVENT_LIMIT: '100000' } });
    ({ t, mariadb: db, databaseUrl } = p as Required<PrivateApp>);
  });
  afterAll(async () => {
    await p?.close();
  });

  const health = (path: string) => p.health(path);
  const until: PrivateApp['until'] = (...args) => p.until(...args);
  /** The committed messages of a room, read straight from the private MariaDB. */
  async function stored(roomId: string): Promise<{ id: string; seq: number; client_msg_id: string }[]> {
    const conn = await createConnection(databaseUrl);
    try {
      const [rows] = await conn.query('SELECT id, seq, client_msg_id FROM messages WHERE room_id = ? ORDER BY seq', [roomId]);
      return rows as { id: string; seq: number; client_msg_id: string }[];
    } finally {
      await conn.end();
    }
  }

  it.each(['stop', 'kill'] as const)('should ack only what was committed and recover without a restart of Lotse (MariaDB %s)', async (how) => {
    const c = await seedCenter(t, { counselors: 1, clients: 1 });
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const roomId = await createRoom(counselor, { memberIds: [c.clients[0]!.id] });
    ok(await call(counselor, 'message.send', { roomId, clientMsgId: randomUUID(), body: 'before' }));

    // a stream of sends while the database goes away under them
    const answers: { clientMsgId: string; answer: Ack<MessageSendResult> | 'no ack' }[] = [];
    let sending = true;
    const stream = (async () => {
      while (sending) {
        const clientMsgId = randomUUID();
        const answer = await call(counselor, 'message.send', { roomId, clientMsgId, body: `during ${answers.length}` }, 20_000).catch(() => 'no ack' as const);
        answers.push({ clientMsgId, answer });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    await (how === 'stop' ? db.stop() : db.kill());
    await until(
      'database seen down',
      () => health('/health'),
      (h) => h.body.database === 'down',
    );
    expect(await health('/health')).toMatchObject({ status: 503, body: { status: 'unavailable', database: 'down' } });
    expect(await health('/health/ready')).toMatchObject({ status: 503, body: { status: 'unavailable', database: 'down' } });
    expect(await health('/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
    await new Promise((r) => setTimeout(r, 1000));
    await db.start();
    await until(
      'health up',
      () => health('/health/ready'),
      (h) => h.status === 200 && h.body.database === 'up',
    );
    sending = false;
    await stream;

    // the same pool serves again (no restart of Lotse)
    const after = ok(await call(counselor, 'message.send', { roomId, clientMsgId: randomUUID(), body: 'after' }));
    const rows = await stored(roomId);
    expect(rows.at(-1)).toMatchObject({ id: after.id, seq: after.seq });
    // every ok ack names a committed row, exactly once; seq has no gaps
    const acked = answers.filter((a) => a.answer !== 'no ack' && a.answer.ok);
    expect(acked.length).toBeGreaterThan(0);
    expect(answers.some((a) => a.answer === 'no ack' || !a.answer.ok)).toBe(true);
    const byClientId = new Map(rows.map((r) => [r.client_msg_id, r]));
    for (const a of acked) {
      const data = (a.answer as { ok: true; data: MessageSendResult }).data;
      expect(byClientId.get(a.clientMsgId)).toMatchObject({ id: data.id, seq: data.seq });
    }
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
    expect(new Set(rows.map((r) => r.client_msg_id)).size).toBe(rows.length);
    // a failed send retried with the same id is stored once (or answered with the row it did commit)
    const failed = answers.find((a) => a.answer === 'no ack' || !a.answer.ok);
    if (failed) {
      const retried = ok(await call(counselor, 'message.send', { roomId, clientMsgId: failed.clientMsgId, body: 'retry' }));
      expect((await stored(roomId)).filter((r) => r.client_msg_id === failed.clientMsgId)).toEqual([expect.objectContaining({ id: retried.id })]);
    }
  });
});
