import type { ClientToServerEvents, ServerToClientEvents, TopicChatListItem } from '../../src/realtime/contract';
import { call as ackCall, ok as okData, AnswerOf, PayloadOf } from '../harness/ack';
import { closeAllSockets, connect, nextEvent, seedCenter, SeededCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';
import { onMariaDb } from '../harness/env';
import { RoomsRepository } from '../../src/modules/rooms/rooms.repository';
import { RoomsService } from '../../src/modules/rooms/rooms.service';
import { TopicChatsService } from '../../src/modules/topic-chats/topic-chats.service';
import { DataSource } from 'typeorm';

/** Commands of this suite wait up to 10 s for their ack (many sockets at once on two nodes). */
const call = <E extends keyof ClientToServerEvents>(socket: TestSocket, event: E, payload: PayloadOf<E>, ms = 10_000): Promise<AnswerOf<E>> =>
  ackCall(socket, event, payload, ms);

const iso = (msFromNow: number): string => new Date(Date.now() + msFromNow).toISOString();
const HOUR = 3_600_000;

describe(`topic chats (${onMariaDb ? 'two nodes, MariaDB + Redis' : 'one node, SQLite'})`, () => {
  let a: TestApp & { dropDb: () => Promise<void> };
  let b: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;

  beforeAll(async () => {
    a = await startApp();
    b = a.config.database.kind === 'mysql' ? await startApp({ databaseUrl: a.config.database.url }) : a;
    c = await seedCenter(a, { counselors: 2, clients: 2 });
    other = await seedCenter(a, { counselors: 1, clients: 0 });
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

  it('should let staff schedule, edit and cancel a topic chat and list it publicly', async () => {
    const id = await schedule({ startsAt: iso(HOUR), endsAt: iso(2 * HOUR) });
    const v = await visitor(a, c.slug);
    await a
      .http()
      .post(`/api/centers/${c.slug}/topic-chats`)
      .set('Authorization', `Bearer ${v.token}`)
      .send({ title: 'x', description: '', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), capacity: 3 })
      .expect(403);
    await a
      .http()
      .post(`/api/centers/${c.slug}/topic-chats`)
      .set('Authorization', `Bearer ${other.counselors[0]!.token}`)
      .send({ title: 'x', description: '', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), capacity: 3 })
      .expect(403);
    const bad = await a
      .http()
      .post(`/api/centers/${c.slug}/topic-chats`)
      .set('Authorization', `Bearer ${c.counselors[0]!.token}`)
      .send({ title: 'x', description: '', startsAt: iso(2 * HOUR), endsAt: iso(HOUR), capacity: 3 })
      .expect(400);
    expect(bad.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });

    const listed = (await b.http().get(`/api/centers/${c.slug}/topic-chats`).expect(200)).body as TopicChatListItem[];
    expect(listed.find((t) => t.id === id)).toMatchObject({ title: 'Prüfungsangst', status: 'scheduled' });
    await b
      .http()
      .patch(`/api/centers/${c.slug}/topic-chats/${id}`)
      .set('Authorization', `Bearer ${c.counselors[1]!.token}`)
      .send({ title: 'Nope' })
      .expect(403);
    await b
      .http()
      .patch(`/api/centers/${c.slug}/topic-chats/${id}`)
      .set('Authorization', `Bearer ${c.counselors[0]!.token}`)
      .send({ title: 'Prüfungsangst im Studium' })
      .expect(200);
    const edited = (await a.http().get(`/api/centers/${c.slug}/topic-chats`).expect(200)).body as TopicChatListItem[];
    expect(edited.find((t) => t.id === id)?.title).toBe('Prüfungsangst im Studium');
    await a.http().delete(`/api/centers/${c.slug}/topic-chats/${id}`).set('Authorization', `Bearer ${c.admin.token}`).expect(204);
    const after = (await a.http().get(`/api/centers/${c.slug}/topic-chats`).expect(200)).body as TopicChatListItem[];
    expect(after.find((t) => t.id === id)).toBeUndefined();
  });

  it('should refuse joins before and after the window with TOPIC_NOT_OPEN naming the start', async () => {
    const startsAt = iso(HOUR);
    const future = await schedule({ startsAt, endsAt: iso(2 * HOUR) });
    const past = await schedule({ startsAt: iso(-2 * HOUR), endsAt: iso(-HOUR) });
    const v = await visitorSocket(a);
    const early = await call(v.socket, 'topic.join', { topicChatId: future, nickname: 'Mila' });
    expect(early).toMatchObject({ ok: false, error: { code: 'TOPIC_NOT_OPEN' } });
    expect(!early.ok && early.error.message).toContain(new Date(startsAt).toISOString());
    await expect(call(v.socket, 'topic.join', { topicChatId: past, nickname: 'Mila' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'TOPIC_NOT_OPEN' },
    });
  });

  it('should enforce capacity and refuse look-alike and staff-like nicknames', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(HOUR), capacity: 2 });
    const v1 = await visitorSocket(a);
    const { roomId } = okData(await call(v1.socket, 'topic.join', { topicChatId: id, nickname: 'Mila' }));
    await expect(call(v1.socket, 'topic.join', { topicChatId: id, nickname: 'Mila' })).resolves.toEqual({ ok: true, data: { roomId } });
    const v2 = await visitorSocket(b);
    const lookAlikes = [
      ...['mila', 'MIL\u0410', 'M1la', 'Mi\u200Bla', 'Berater Tom', 'the admin', 'C\u043Eunselor 1', 'Counselor 2'],
      // Greek and Cyrillic letters that look Latin, IPA letters, fullwidth forms
      ...['\u039Cila', '\u041Cil\u0430', 'Mi\u217Ca', 'Ｍｉｌａ', 'Counse\u217Cor 2', 'Counsel\u03BFr 1'],
      // a staff name or a taken nickname with an invisible filler, joiner or bidi control
      ...['Counselor 1\u3164', 'Counselor\u115F 1', 'Mila\u2060', 'Mi\u202Ela', 'Mila\uFE0F', 'M\u00ADila'],
    ];
    for (const nickname of lookAlikes) {
      const ack = await call(v2.socket, 'topic.join', { topicChatId: id, nickname });
      expect([nickname, ack.ok ? 'ok' : ack.error.code]).toEqual([nickname, 'VALIDATION_FAILED']);
    }
    // what people typed is not readable at rest: the nickname is encrypted, uniqueness is a keyed hash
    const rows: Record<string, unknown>[] = await a.app.get(DataSource).query('SELECT * FROM topic_participants WHERE topic_chat_id = ?', [id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(/mila/i);
    expect(rows[0]!.nickname_hash).toMatch(/^[0-9a-f]{64}$/);
    const client = await connect(b.url, c.clients[0]!.token);
    await expect(call(client, 'topic.join', { topicChatId: id, nickname: 'Jonas' })).resolves.toEqual({ ok: true, data: { roomId } });
    await expect(call(v2.socket, 'topic.join', { topicChatId: id, nickname: 'Noor' })).resolves.toMatchObject({ ok: false, error: { code: 'TOPIC_FULL' } });
  });

  it('should mark the host as counselor and let the host mute and remove participants', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(HOUR) });
    const v = await visitorSocket(a);
    const { roomId } = okData(await call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Sonne' }));
    const client = await connect(b.url, c.clients[1]!.token);
    okData(await call(client, 'topic.join', { topicChatId: id, nickname: 'Regen' }));
    const host = await connect(b.url, c.counselors[0]!.token);
    okData(await call(host, 'room.join', { roomId }));

    const fromHost = nextEvent(v.socket, 'message.created');
    okData(await call(host, 'message.send', { roomId, clientMsgId: 'h1', body: 'Willkommen!' }));
    await expect(fromHost).resolves.toMatchObject({ sender: { id: c.counselors[0]!.id, role: 'counselor', displayName: 'Counselor 1' } });
    const fromVisitor = nextEvent(host, 'message.created');
    okData(await call(v.socket, 'message.send', { roomId, clientMsgId: 'v1', body: 'Hallo' }));
    await expect(fromVisitor).resolves.toMatchObject({ sender: { id: v.id, role: 'visitor', displayName: 'Sonne' } });

    // not the caller's room: the same answer as for a room that does not exist (no existence oracle)
    const ghost = '00000000-0000-4000-8000-000000000000';
    const colleague = await connect(b.url, c.counselors[1]!.token);
    for (const cmd of ['topic.mute', 'topic.remove'] as const) {
      const missing = await call(client, cmd, { roomId: ghost, participantId: v.id });
      expect(missing).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'The topic chat was not found.' } });
      await expect(call(client, cmd, { roomId, participantId: v.id })).resolves.toEqual(missing);
      await expect(call(colleague, cmd, { roomId, participantId: v.id })).resolves.toEqual(missing);
    }
    okData(await call(host, 'topic.mute', { roomId, participantId: v.id }));
    await expect(call(v.socket, 'message.send', { roomId, clientMsgId: 'v2', body: 'Hallo?' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    okData(await call(host, 'topic.mute', { roomId, participantId: v.id, muted: false }));
    okData(await call(v.socket, 'message.send', { roomId, clientMsgId: 'v3', body: 'Danke' }));

    const removed = nextEvent(client, 'room.closed');
    okData(await call(host, 'topic.remove', { roomId, participantId: c.clients[1]!.id }));
    await expect(removed).resolves.toEqual({ roomId, reason: 'removed' });
    await expect(call(client, 'topic.join', { topicChatId: id, nickname: 'Regen' })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('should show the host who is in the chat, with muted flags, but not the participants or outsiders', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(HOUR) });
    const w = await visitor(a, c.slug);
    const v = { id: w.visitorId, socket: await connect(a.url, w.token) };
    const v2 = await visitor(a, c.slug);
    const { roomId } = okData(await call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Wolke' }));
    okData(await call(await connect(a.url, v2.token), 'topic.join', { topicChatId: id, nickname: 'Stern' }));
    const host = await connect(b.url, c.counselors[0]!.token);
    okData(await call(host, 'topic.mute', { roomId, participantId: v.id }));
    okData(await call(host, 'topic.remove', { roomId, participantId: v2.visitorId }));

    const list = async (token: string, status: number) =>
      (await b.http().get(`/api/rooms/${roomId}/members`).set('Authorization', `Bearer ${token}`).expect(status)).body as unknown;
    const members = (await list(c.counselors[0]!.token, 200)) as { id: string; displayName: string; role: string; muted: boolean }[];
    expect(members.sort((x, y) => x.displayName.localeCompare(y.displayName))).toEqual([
      { id: c.counselors[0]!.id, displayName: 'Counselor 1', role: 'counselor', muted: false },
      { id: v.id, displayName: 'Wolke', role: 'visitor', muted: true },
    ]);
    await expect(list(w.token, 403)).resolves.toMatchObject({ error: { code: 'FORBIDDEN' } });
    const visitorToken = (await visitor(a, c.slug)).token;
    await expect(list(visitorToken, 404)).resolves.toMatchObject({ error: { code: 'NOT_FOUND' } });
    await expect(list(other.counselors[0]!.token, 404)).resolves.toMatchObject({ error: { code: 'NOT_FOUND' } });
    await expect(list(c.counselors[1]!.token, 404)).resolves.toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

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

  it('should keep neither seat nor nickname when the room membership of a join cannot be written', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(HOUR), capacity: 1 });
    const v = await visitorSocket(a);
    // the last write of the join fails: the seat and the participant row written before it roll back
    const spies = [...new Set([a, b])].map((n) => jest.spyOn(n.app.get(RoomsService), 'addMember').mockRejectedValueOnce(new Error('forced failure')));
    try {
      await expect(call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Anker' })).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const ds = a.app.get(DataSource);
    const rows: { n: number | string }[] = await ds.query('SELECT COUNT(*) AS n FROM topic_participants WHERE topic_chat_id = ?', [id]);
    expect(Number(rows[0]!.n)).toBe(0);
    const seats: { n: number | string }[] = await ds.query('SELECT participant_count AS n FROM topic_chats WHERE id = ?', [id]);
    expect(Number(seats[0]!.n)).toBe(0);
    // the one seat is still free and the nickname still untaken
    const other = await visitorSocket(b);
    await expect(call(other.socket, 'topic.join', { topicChatId: id, nickname: 'Anker' })).resolves.toMatchObject({ ok: true });
  });

  it('should store the member key of a join whose first try rolled back after the key was made', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(HOUR) });
    const v = await visitorSocket(a);
    // the member's name is sealed (its key made) before the membership write fails
    const spies = [...new Set([a, b])].map((n) => jest.spyOn(n.app.get(RoomsRepository), 'upsertMember').mockRejectedValueOnce(new Error('forced failure')));
    try {
      await expect(call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Boje' })).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const { roomId } = okData(await call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Boje' }));
    // the name is sealed with a key that is stored (not one that rolled back and lives on in a cache only)
    const keys: { n: number | string }[] = await a.app.get(DataSource).query('SELECT COUNT(*) AS n FROM data_keys WHERE scope = ?', [`room:${roomId}:${v.id}`]);
    expect(Number(keys[0]!.n)).toBe(1);
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
    // a sweep on every node past the original end must leave the extended window open
    for (const n of new Set([a, b])) await n.app.get(TopicChatsService).sweep(new Date(Date.now() + 3500));
    await expect(call(v.socket, 'message.send', { roomId, clientMsgId: 'late-1', body: 'Noch da' })).resolves.toMatchObject({ ok: true });
  });

  it('should erase the nicknames of an ended topic chat when the center keeps no transcripts', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(2500) });
    const v = await visitorSocket(a);
    const { roomId } = okData(await call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Vergessen' }));
    const nicknames = async (): Promise<number> => {
      const ds = a.app.get(DataSource);
      const p: { n: number | string }[] = await ds.query('SELECT COUNT(*) AS n FROM topic_participants WHERE topic_chat_id = ?', [id]);
      // the nickname is ciphertext in room_members: count the visitor's membership
      const m: { n: number | string }[] = await ds.query('SELECT COUNT(*) AS n FROM room_members WHERE room_id = ? AND role = ?', [roomId, 'visitor']);
      return Number(p[0]!.n) + Number(m[0]!.n);
    };
    expect(await nicknames()).toBe(2);
    await expect(nextEvent(v.socket, 'room.closed', 10_000)).resolves.toEqual({ roomId, reason: 'ended' });
    // the erasure follows the close on the node that ended the chat; no event marks it
    // and the member keys that encrypted the nicknames in the room
    const memberKeys = async (): Promise<number> => {
      const k: { n: number | string }[] = await a.app.get(DataSource).query('SELECT COUNT(*) AS n FROM data_keys WHERE scope LIKE ?', [`room:${roomId}:%`]);
      return Number(k[0]!.n);
    };
    for (let i = 0; i < 50 && (await nicknames()) + (await memberKeys()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await nicknames()).toBe(0);
    expect(await memberKeys()).toBe(0);
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

  it('should close itself exactly once at endsAt and list it as ended', async () => {
    const id = await schedule({ startsAt: iso(-60_000), endsAt: iso(2500) });
    const v = await visitorSocket(a);
    const { roomId } = okData(await call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Mond' }));
    const closes: Parameters<ServerToClientEvents['room.closed']>[0][] = [];
    v.socket.on('room.closed', (p) => closes.push(p));
    const closed = nextEvent(v.socket, 'room.closed', 10_000);
    // past endsAt: the sweeps of every node at once close it, and further sweeps do not close it again
    const sweep = () => Promise.all([...new Set([a, b])].map((n) => n.app.get(TopicChatsService).sweep(new Date(Date.now() + 3000))));
    await sweep();
    await expect(closed).resolves.toEqual({ roomId, reason: 'ended' });
    await sweep();
    await call(v.socket, 'room.history', { roomId }); // a round trip: a push sent before its answer has arrived
    expect(closes).toHaveLength(1);
    const listed = (await b.http().get(`/api/centers/${c.slug}/topic-chats`).expect(200)).body as TopicChatListItem[];
    expect(listed.find((t) => t.id === id)?.status).toBe('ended');
    await expect(call(v.socket, 'topic.join', { topicChatId: id, nickname: 'Mond' })).resolves.toMatchObject({ ok: false, error: { code: 'TOPIC_NOT_OPEN' } });
  });
});
