import { createConnection } from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2';
import { io } from 'socket.io-client';
import { call, ok } from '../harness/ack';
import type { TestSocket } from '../harness/app';
import { Cluster, createCluster, loginAt, Node, PASSWORD, registerAt, ReliableMember } from '../harness/cluster';
import { onMariaDb } from '../harness/env';

// Two server processes need a shared database and Redis. This file belongs to the `cluster` jest
// project, which only the MariaDB + Redis pass runs; anywhere else it fails instead of passing vacuously.
if (!onMariaDb) throw new Error('two-nodes.spec.ts needs MariaDB + Redis: run it with LOTSE_TEST_DB=mariadb (npx jest --selectProjects cluster).');

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Runs `count` sends with at most `width` in flight. */
async function sendMany(member: ReliableMember, prefix: string, count: number, width: number, onAck?: () => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await member.send(`${prefix}-${i}`, `${member.name} says ${i}`);
      onAck?.();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

describe('two nodes sharing MariaDB and Redis', () => {
  let cluster: Cluster;
  let a: Node;
  let b: Node;
  let members: ReliableMember[] = [];
  let roomId: string;

  beforeAll(async () => {
    cluster = await createCluster();
    await cluster.cli(['center:create', '--slug', 'two', '--name', 'Two Nodes', '--admin-email', 'admin@two.example', '--admin-password', PASSWORD]);
    await cluster.cli(['staff:create', '--center', 'two', '--email', 'anna@two.example', '--name', 'Anna', '--role', 'counselor', '--password', PASSWORD]);
    [a, b] = (await cluster.startNodes(2)) as [Node, Node];
    const anna = await loginAt(a.url, 'two', 'anna@two.example');
    const kim = await registerAt(b.url, 'two', 'kim-two');
    const lou = await registerAt(b.url, 'two', 'lou-two');
    const creator: TestSocket = io(a.url, { auth: { token: anna.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    roomId = ok(await call(creator, 'room.create', { name: 'Across nodes', memberIds: [kim.account.id, lou.account.id] })).roomId;
    creator.disconnect();
    members = [
      new ReliableMember('anna', anna, roomId, [a.url]),
      new ReliableMember('kim', kim, roomId, [b.url, a.url]),
      new ReliableMember('lou', lou, roomId, [b.url, a.url]),
    ];
    await Promise.all(members.map((m) => m.connect()));
  }, 120_000);

  afterAll(async () => {
    for (const m of members) m.close();
    await cluster?.drop();
  });

  it('should deliver 1,000 concurrent messages to every member exactly once, in seq order, gap-free when members are on different nodes', async () => {
    const [anna, kim, lou] = members as [ReliableMember, ReliableMember, ReliableMember];
    await Promise.all([sendMany(anna, 'p1', 400, 10), sendMany(kim, 'p1', 300, 10), sendMany(lou, 'p1', 300, 10)]);

    const ackedSeqs = members.flatMap((m) => [...m.acked.values()].map((r) => r.seq)).sort((x, y) => x - y);
    expect(ackedSeqs).toEqual(range(1, 1000));
    for (const m of members) {
      await m.waitForDelivered(1000);
      // The server pushed every message once to every member, across nodes, with nothing to repair.
      expect([m.name, m.pushes.length]).toEqual([m.name, 1000]);
      expect(m.pushes.map((p) => p.seq).sort((x, y) => x - y)).toEqual(range(1, 1000));
      expect(m.delivered.map((d) => d.seq)).toEqual(range(1, 1000));
    }
    // Everyone saw the same message at the same seq, with the sender's own text.
    const bySeq = new Map(anna.delivered.map((d) => [d.seq, d]));
    for (const m of members) {
      for (const [clientMsgId, r] of m.acked)
        expect(bySeq.get(r.seq)).toMatchObject({ id: r.id, clientMsgId, body: `${m.name} says ${clientMsgId.split('-')[1]}` });
      for (const d of m.delivered) expect(d.id).toBe(bySeq.get(d.seq)!.id);
    }
  }, 240_000);

  it('should lose and duplicate no acked message when a node is killed while both sides keep sending', async () => {
    const [anna, kim, lou] = members as [ReliableMember, ReliableMember, ReliableMember];
    let acks = 0;
    let killed = false;
    const killB = () => {
      acks++;
      if (!killed && acks >= 60) {
        killed = true;
        b.proc.child.kill('SIGKILL');
      }
    };
    await Promise.all([sendMany(anna, 'p2', 100, 5, killB), sendMany(kim, 'p2', 100, 5, killB), sendMany(lou, 'p2', 100, 5, killB)]);
    expect(killed).toBe(true);
    await expect(b.proc.exited).resolves.toBeNull();

    const total = 1300;
    const ackedSeqs = members.flatMap((m) => [...m.acked.values()].map((r) => r.seq)).sort((x, y) => x - y);
    expect(ackedSeqs).toEqual(range(1, total));
    for (const m of members) {
      await m.waitForDelivered(total);
      expect(m.delivered.map((d) => d.seq)).toEqual(range(1, total));
    }
    // Through history on the surviving node: every acked message exactly once, where its ack said.
    const history = new Map(anna.delivered.map((d) => [d.seq, d]));
    for (const m of members) {
      for (const [clientMsgId, r] of m.acked)
        expect(history.get(r.seq)).toMatchObject({ id: r.id, clientMsgId, sender: { displayName: expect.any(String) as string } });
    }
    expect((kim.socket.io as unknown as { uri: string }).uri).toBe(a.url);

    const conn = await createConnection(cluster.databaseUrl);
    try {
      const [rows] = await conn.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n, COUNT(DISTINCT sender_id, client_msg_id) AS distinctIds, MIN(seq) AS minSeq, MAX(seq) AS maxSeq FROM messages WHERE room_id = ?',
        [roomId],
      );
      expect(rows[0]).toMatchObject({ n: total, distinctIds: total, minSeq: 1, maxSeq: total });
      const [room] = await conn.query<RowDataPacket[]>('SELECT last_seq FROM rooms WHERE id = ?', [roomId]);
      expect(room[0]).toMatchObject({ last_seq: total });
    } finally {
      await conn.end();
    }
  }, 240_000);
});
