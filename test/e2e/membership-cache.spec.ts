import type { ClientToServerEvents } from '../../src/realtime/contract';
import { call as ackCall, ok, AnswerOf, PayloadOf } from '../harness/ack';
import { closeAllSockets, connect, nextEvent, seedCenter, SeededCenter, startApp, TestApp, TestSocket } from '../harness/app';
import { onMariaDb } from '../harness/env';
import { DataSource } from 'typeorm';
import { RoomsService } from '../../src/modules/rooms/rooms.service';

const call = <E extends keyof ClientToServerEvents>(socket: TestSocket, event: E, payload: PayloadOf<E>): Promise<AnswerOf<E>> =>
  ackCall(socket, event, payload, 10_000);
const iso = (msFromNow: number): string => new Date(Date.now() + msFromNow).toISOString();

/**
 * message.send reads the room and the membership from a per-node cache (MembershipCache); these
 * check that a change made on one node is seen by the next send on the other one (MariaDB + Redis:
 * two nodes; SQLite: the same on one node).
 */
describe(`membership cache of message.send (${onMariaDb ? 'two nodes, MariaDB + Redis' : 'one node, SQLite'})`, () => {
  let a: TestApp & { dropDb: () => Promise<void> };
  let b: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let n = 0;

  beforeAll(async () => {
    a = await startApp({ env: { MESSAGE_RATE_LIMIT: '10000' } });
    b = a.config.database.kind === 'mysql' ? await startApp({ databaseUrl: a.config.database.url, env: { MESSAGE_RATE_LIMIT: '10000' } }) : a;
    c = await seedCenter(a, { counselors: 1, clients: 2 });
  });
  afterAll(async () => {
    closeAllSockets();
    if (b !== a) await b.close();
    await a.close();
    await a.dropDb();
  });

  /** A running topic chat: the host on node A, a registered client in it on node B whose membership B has cached (two sends). */
  async function topicWithParticipant(): Promise<{ roomId: string; host: TestSocket; participant: TestSocket; send: () => Promise<AnswerOf<'message.send'>> }> {
    const res = await a
      .http()
      .post(`/api/centers/${c.slug}/topic-chats`)
      .set('Authorization', `Bearer ${c.counselors[0]!.token}`)
      .send({ title: `Cache ${++n}`, description: 'membership', capacity: 10, startsAt: iso(-60_000), endsAt: iso(3_600_000) })
      .expect(201);
    const topicChatId = (res.body as { id: string }).id;
    const participant = await connect(b.url, c.clients[n % 2]!.token);
    const { roomId } = ok(await call(participant, 'topic.join', { topicChatId, nickname: `Wolke${n}` }));
    const host = await connect(a.url, c.counselors[0]!.token);
    ok(await call(host, 'room.join', { roomId }));
    let i = 0;
    const send = () => call(participant, 'message.send', { roomId, clientMsgId: `cache-${n}-${++i}`, body: `message ${i}` });
    for (let k = 0; k < 2; k++) ok(await send());
    return { roomId, host, participant, send };
  }

  it('should refuse the next message of a participant on node B right after the host removed them on node A', async () => {
    const { roomId, host, participant, send } = await topicWithParticipant();
    const removed = nextEvent(participant, 'room.closed');
    ok(await call(host, 'topic.remove', { roomId, participantId: c.clients[n % 2]!.id }));
    await expect(send()).resolves.toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'The room was not found.' } });
    await expect(removed).resolves.toEqual({ roomId, reason: 'removed' });
  });

  it('should refuse the next message on node B right after the host muted the participant on node A, and take it once unmuted', async () => {
    const { roomId, host, send } = await topicWithParticipant();
    ok(await call(host, 'topic.mute', { roomId, participantId: c.clients[n % 2]!.id }));
    await expect(send()).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    ok(await call(host, 'topic.mute', { roomId, participantId: c.clients[n % 2]!.id, muted: false }));
    ok(await send());
  });

  it('should refuse the next message on node B right after node A removed the member through the rooms API (a hand-over)', async () => {
    const { roomId, send } = await topicWithParticipant();
    await a.app.get(RoomsService).removeMember(c.centerId, roomId, c.clients[n % 2]!.id, 'handed_over');
    await expect(send()).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  // A change reaches the other nodes' caches through the bus a moment after the writer answered.
  // Here node B's cache never hears of it (the row is changed behind the repository's back): the
  // send must still follow the database, in both directions.
  describe('with a cached membership that is older than the database', () => {
    const sqlTime = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
    const behindTheCache = (sql: string, params: unknown[]) => b.app.get(DataSource).query(sql, params);
    const storedOf = async (roomId: string, senderId: string): Promise<number> =>
      Number(
        ((await behindTheCache('SELECT COUNT(*) AS n FROM messages WHERE room_id = ? AND sender_id = ?', [roomId, senderId])) as { n: number | string }[])[0]!
          .n,
      );

    it('should refuse a participant muted in the database, alone and several at once, and store none of it', async () => {
      const { roomId, send } = await topicWithParticipant();
      const participantId = c.clients[n % 2]!.id;
      await behindTheCache('UPDATE room_members SET muted = 1 WHERE room_id = ? AND subject_id = ?', [roomId, participantId]);
      await expect(send()).resolves.toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'You are muted in this room.' } });
      const burst = await Promise.all(Array.from({ length: 5 }, () => send()));
      expect(burst).toEqual(Array.from({ length: 5 }, () => ({ ok: false, error: { code: 'FORBIDDEN', message: 'You are muted in this room.' } })));
      expect(await storedOf(roomId, participantId)).toBe(2);
    });

    it('should take the message of a participant whom this node still holds as muted once the database has them unmuted', async () => {
      const { roomId, host, send } = await topicWithParticipant();
      const participantId = c.clients[n % 2]!.id;
      ok(await call(host, 'topic.mute', { roomId, participantId }));
      // this refusal reads the membership (muted) and node B caches it
      await expect(send()).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      await behindTheCache('UPDATE room_members SET muted = 0 WHERE room_id = ? AND subject_id = ?', [roomId, participantId]);
      expect(ok(await send()).seq).toBe(3);
    });

    it('should answer NOT_FOUND to a participant removed in the database and store nothing', async () => {
      const { roomId, send } = await topicWithParticipant();
      const participantId = c.clients[n % 2]!.id;
      await behindTheCache('UPDATE room_members SET removed_at = ? WHERE room_id = ? AND subject_id = ?', [sqlTime(new Date()), roomId, participantId]);
      await expect(send()).resolves.toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'The room was not found.' } });
      expect(await storedOf(roomId, participantId)).toBe(2);
    });

    it('should refuse once the writing window ended in the database, and store nothing', async () => {
      const { roomId, send } = await topicWithParticipant();
      const participantId = c.clients[n % 2]!.id;
      await behindTheCache('UPDATE rooms SET ends_at = ? WHERE id = ?', [sqlTime(new Date(Date.now() - 1000)), roomId]);
      const refused = await send();
      expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(!refused.ok && refused.error.message).toContain('closed for messages');
      expect(await storedOf(roomId, participantId)).toBe(2);
    });
  });
});
