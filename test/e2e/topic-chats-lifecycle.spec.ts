import type { Ack, ClientToServerEvents } from '../../src/realtime/contract';
import { DataSource } from 'typeorm';
import { closeAllSockets, connect, nextEvent, seedCenter, SeededCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';
import { onMariaDb } from '../harness/env';

type Command = keyof ClientToServerEvents;
type PayloadOf<E extends Command> = Parameters<ClientToServerEvents[E]>[0];
type AnswerOf<E extends Command> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

async function call<E extends Command>(socket: TestSocket, event: E, payload: PayloadOf<E>, ms = 10_000): Promise<AnswerOf<E>> {
  const timed = socket.timeout(ms) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> };
  return (await timed.emitWithAck(event, payload)) as AnswerOf<E>;
}

function okData<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

const iso = (msFromNow: number): string => new Date(Date.now() + msFromNow).toISOString();
const HOUR = 3_600_000;

/** Topic chats over their life: edits of a running chat, and participants who delete their account. */
describe(`topic chat lifecycle (${onMariaDb ? 'two nodes, MariaDB + Redis' : 'one node, SQLite'})`, () => {
  let a: TestApp & { dropDb: () => Promise<void> };
  let b: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;

  beforeAll(async () => {
    a = await startApp();
    b = a.config.database.kind === 'mysql' ? await startApp({ databaseUrl: a.config.database.url }) : a;
    c = await seedCenter(a, { counselors: 1, clients: 0 });
  });
  afterAll(async () => {
    closeAllSockets();
    if (b !== a) await b.close();
    await a.close();
    await a.dropDb();
  });

  async function schedule(body: Record<string, unknown>, token = c.counselors[0]!.token): Promise<string> {
    const res = await a
      .http()
      .post(`/api/centers/${c.slug}/topic-chats`)
      .set('Authorization', `Bearer ${token}`)
      .send({ title: 'Prüfungsangst', description: 'Austausch unter Gleichen', capacity: 10, ...body })
      .expect(201);
    return (res.body as { id: string }).id;
  }

  async function visitorSocket(node: TestApp): Promise<{ id: string; socket: TestSocket }> {
    const v = await visitor(node, c.slug);
    return { id: v.visitorId, socket: await connect(node.url, v.token) };
  }

  it('should erase the nickname and seat of a client when the client deletes their account', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(HOUR), capacity: 1 });
    const reg = await a.http().post('/api/auth/register').send({ center: c.slug, username: 'nick-leaver', password: 'Quiet-Harbor-8812' }).expect(201);
    const leaver = reg.body as { token: string; account: { id: string } };
    const socket = await connect(a.url, leaver.token);
    okData(await call(socket, 'topic.join', { topicChatId: id, nickname: 'Leuchtturm' }));
    const participants = async (): Promise<number> => {
      const rows: { n: number | string }[] = await a.app
        .get(DataSource)
        .query('SELECT COUNT(*) AS n FROM topic_participants WHERE subject_id = ?', [leaver.account.id]);
      return Number(rows[0]!.n);
    };
    expect(await participants()).toBe(1);
    await a.http().delete('/api/accounts/me').set('Authorization', `Bearer ${leaver.token}`).send({ password: 'Quiet-Harbor-8812' }).expect(204);
    expect(await participants()).toBe(0);
    // the seat is free again and the nickname may be taken by someone else
    const v = await visitorSocket(b);
    await expect(call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Leuchtturm' })).resolves.toMatchObject({ ok: true });
  });

  it('should let participants keep writing when the host extends a running topic chat', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(3000) });
    const v = await visitorSocket(a);
    const { roomId } = okData(await call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Verlängert' }));
    await a
      .http()
      .patch(`/api/centers/${c.slug}/topic-chats/${id}`)
      .set('Authorization', `Bearer ${c.counselors[0]!.token}`)
      .send({ endsAt: iso(HOUR) })
      .expect(200);
    await new Promise((r) => setTimeout(r, 3500)); // past the original end: no event marks a window that did not close
    await expect(call(v.socket, 'message.send', { roomId, clientMsgId: 'late-1', body: 'Noch da' })).resolves.toMatchObject({ ok: true });
  });

  it('should erase the nicknames of an ended topic chat when the center keeps no transcripts', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(2500) });
    const v = await visitorSocket(a);
    const { roomId } = okData(await call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Vergessen' }));
    const nicknames = async (): Promise<number> => {
      const ds = a.app.get(DataSource);
      const p: { n: number | string }[] = await ds.query('SELECT COUNT(*) AS n FROM topic_participants WHERE topic_chat_id = ?', [id]);
      const m: { n: number | string }[] = await ds.query('SELECT COUNT(*) AS n FROM room_members WHERE room_id = ? AND display_name = ?', [
        roomId,
        'Vergessen',
      ]);
      return Number(p[0]!.n) + Number(m[0]!.n);
    };
    expect(await nicknames()).toBe(2);
    await expect(nextEvent(v.socket, 'room.closed', 10_000)).resolves.toEqual({ roomId, reason: 'ended' });
    // the erasure follows the close on the node that ended the chat; no event marks it
    for (let i = 0; i < 50 && (await nicknames()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await nicknames()).toBe(0);
  });
  it('should erase messages and nicknames of a running topic chat when the host cancels it', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(3_600_000) });
    const v = await visitorSocket(a);
    const { roomId } = okData(await call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Abgesagt' }));
    okData(await call(v.socket, 'message.send', { roomId, clientMsgId: 'c1', body: 'Bin da' }));
    const ds = a.app.get(DataSource);
    const count = async (sql: string, arg: string): Promise<number> => Number((await ds.query<{ n: number | string }[]>(sql, [arg]))[0]!.n);
    const left = async () => [
      await count('SELECT COUNT(*) AS n FROM topic_participants WHERE topic_chat_id = ?', id),
      await count('SELECT COUNT(*) AS n FROM room_members WHERE room_id = ?', roomId),
      await count('SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', roomId),
    ];
    expect((await left()).every((n) => n > 0)).toBe(true);
    const closed = nextEvent(v.socket, 'room.closed');
    await a.http().delete(`/api/centers/${c.slug}/topic-chats/${id}`).set('Authorization', `Bearer ${c.counselors[0]!.token}`).expect(204);
    await expect(closed).resolves.toEqual({ roomId, reason: 'cancelled' });
    expect(await left()).toEqual([0, 0, 0]);
  });
});
