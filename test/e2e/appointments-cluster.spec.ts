import { createConnection } from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2';
import request from 'supertest';
import type { LoginResult, SlotsCreated } from '../../src/realtime/contract';
import { Cluster, createCluster, loginAt, Node, PASSWORD, registerAt } from '../harness/cluster';
import { onMariaDb } from '../harness/env';

// Two server processes on one MariaDB: the `cluster` jest project (MariaDB + Redis pass) only.
if (!onMariaDb) throw new Error('appointments-cluster.spec.ts needs MariaDB + Redis: run it with LOTSE_TEST_DB=mariadb (npx jest --selectProjects cluster).');

const CLIENTS = 12;

describe('booking one slot at two nodes at once', () => {
  let cluster: Cluster;
  let a: Node;
  let b: Node;
  let counselor: LoginResult;
  let clients: LoginResult[] = [];

  beforeAll(async () => {
    cluster = await createCluster();
    await cluster.cli(['center:create', '--slug', 'book', '--name', 'Booking', '--admin-email', 'admin@book.example', '--admin-password', PASSWORD]);
    await cluster.cli(['staff:create', '--center', 'book', '--email', 'anna@book.example', '--name', 'Anna', '--role', 'counselor', '--password', PASSWORD]);
    [a, b] = (await cluster.startNodes(2)) as [Node, Node];
    counselor = await loginAt(a.url, 'book', 'anna@book.example');
    clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => registerAt(i % 2 ? b.url : a.url, 'book', `booker-${i}`)));
  }, 120_000);

  afterAll(async () => {
    await cluster?.drop();
  });

  it('should give the slot to exactly one client (201) and answer every other 409 CONFLICT, leaving one appointment row', async () => {
    const startsAt = new Date(Date.now() + 24 * 60 * 60 * 1000);
    const created = await request(a.url)
      .post('/api/slots')
      .set('Authorization', `Bearer ${counselor.token}`)
      .send({ startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(), forms: ['chat', 'video'] })
      .expect(201);
    const slotId = (created.body as SlotsCreated).id;

    const answers = await Promise.all(
      clients.map((c, i) =>
        request(i % 2 ? a.url : b.url)
          .post(`/api/slots/${slotId}/book`)
          .set('Authorization', `Bearer ${c.token}`)
          .send({ form: 'chat' }),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(CLIENTS - 1);
    for (const r of answers.filter((x) => x.status === 409)) expect((r.body as { error: { code: string } }).error.code).toBe('CONFLICT');
    const winner = answers.findIndex((r) => r.status === 201);
    const { appointmentId } = answers[winner]!.body as { appointmentId: string };

    const conn = await createConnection(cluster.databaseUrl);
    try {
      const [rows] = await conn.query<RowDataPacket[]>('SELECT id, client_id FROM appointments WHERE slot_id = ?', [slotId]);
      expect(rows.map((r) => [r.id as string, r.client_id as string])).toEqual([[appointmentId, clients[winner]!.account.id]]);
      const [slot] = await conn.query<RowDataPacket[]>('SELECT status FROM slots WHERE id = ?', [slotId]);
      expect(slot.map((r) => r.status as string)).toEqual(['booked']);
      // the winner got the counselor; nobody else did
      const [assigned] = await conn.query<RowDataPacket[]>('SELECT client_id FROM client_counselors');
      expect(assigned.map((r) => r.client_id as string)).toEqual([clients[winner]!.account.id]);
    } finally {
      await conn.end();
    }
  });
});
