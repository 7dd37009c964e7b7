import { DataSource } from 'typeorm';
import type { MessageView, ServerToClientEvents } from '../../src/realtime/contract';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { RoomListItem, RoomsService } from '../../src/modules/rooms/rooms.service';
import { call, callRaw, ok } from '../harness/ack';
import { TestClock } from '../harness/clock';
import { closeAllSockets, connect, nextEvent, seedCenter, SeededCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';

type Pushes = { [E in keyof ServerToClientEvents]?: Parameters<ServerToClientEvents[E]>[0][] };

/** Records every push a socket receives. */
function record(socket: TestSocket): Pushes {
  const seen: Pushes = {};
  socket.onAny((event: keyof ServerToClientEvents, payload: unknown) => {
    ((seen[event] ??= []) as unknown[]).push(payload);
  });
  return seen;
}

/** Resolves once `socket` has received `count` message.created pushes of a room. */
function collectMessages(socket: TestSocket, roomId: string, count: number, ms = 10_000): Promise<MessageView[]> {
  const got: MessageView[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length}/${count} messages within ${ms} ms`)), ms);
    const on = (m: MessageView) => {
      if (m.roomId !== roomId) return;
      got.push(m);
      if (got.length === count) {
        clearTimeout(timer);
        socket.off('message.created', on);
        resolve(got);
      }
    };
    socket.on('message.created', on);
  });
}

describe('rooms and messages', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let clock: TestClock;
  let c: SeededCenter;
  let other: SeededCenter;
  let counter = 0;
  const cid = () => `m-${++counter}`;
  const db = () => t.app.get(DataSource);
  const rowCount = async (roomId: string) =>
    Number((await db().query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', [roomId]))[0]!.n);
  const myRooms = async (token: string) => (await t.http().get('/api/rooms').set('Authorization', `Bearer ${token}`).expect(200)).body as RoomListItem[];

  beforeAll(async () => {
    clock = new TestClock();
    // This suite sends more than the default per-account message limit allows in 10 seconds.
    t = await startApp({ clock, env: { MESSAGE_RATE_LIMIT: '10000' } });
    c = await seedCenter(t, { counselors: 2, clients: 3 });
    other = await seedCenter(t, { counselors: 1, clients: 1 });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  async function createRoom(counselor: TestSocket, memberIds: string[], extra: { startsAt?: string; endsAt?: string } = {}): Promise<string> {
    return ok(await call(counselor, 'room.create', { name: `Room ${++counter}`, memberIds, ...extra })).roomId;
  }

  it('should deliver every message of a 1:1 room to both members in seq order when a counselor creates it', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const client = await connect(t.url, c.clients[0]!.token);
    const added = nextEvent(client, 'room.added');
    const roomId = await createRoom(counselor, [c.clients[0]!.id]);
    await expect(added).resolves.toEqual({ roomId, name: expect.any(String) as string, kind: 'direct' });
    const joined = ok(await call(client, 'room.join', { roomId }));
    expect(joined).toMatchObject({ roomId, lastSeq: 0 });

    const atClient = collectMessages(client, roomId, 2);
    const atCounselor = collectMessages(counselor, roomId, 2);
    const first = ok(await call(counselor, 'message.send', { roomId, clientMsgId: cid(), body: '  Hello, how are you?  ' }));
    const second = ok(await call(client, 'message.send', { roomId, clientMsgId: cid(), body: 'Not so good.' }));
    expect([first.seq, second.seq]).toEqual([1, 2]);
    for (const got of [await atClient, await atCounselor]) {
      expect(got.map((m) => [m.seq, m.body, m.sender.role])).toEqual([
        [1, 'Hello, how are you?', 'counselor'],
        [2, 'Not so good.', 'client'],
      ]);
    }
    expect((await atClient)[0]).toMatchObject({
      id: first.id,
      sentAt: first.sentAt,
      sender: { id: c.counselors[0]!.id, displayName: c.counselors[0]!.displayName },
    });
  });

  it('should deliver to every group member and to nobody else when several clients are members', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const a = await connect(t.url, c.clients[0]!.token);
    const b = await connect(t.url, c.clients[1]!.token);
    const outsider = await connect(t.url, c.clients[2]!.token);
    const outsiderSeen = record(outsider);
    const addedB = nextEvent(b, 'room.added');
    const roomId = await createRoom(counselor, [c.clients[0]!.id, c.clients[1]!.id]);
    await expect(addedB).resolves.toMatchObject({ roomId, kind: 'group' });

    // Sockets that were connected at creation were joined to the room without room.join.
    const views = [a, b, counselor].map((s) => collectMessages(s, roomId, 3));
    await Promise.all([
      call(counselor, 'message.send', { roomId, clientMsgId: cid(), body: 'Welcome' }),
      call(a, 'message.send', { roomId, clientMsgId: cid(), body: 'Hi from A' }),
      call(b, 'message.send', { roomId, clientMsgId: cid(), body: 'Hi from B' }),
    ]);
    for (const v of await Promise.all(views)) expect(v.map((m) => m.seq)).toEqual([1, 2, 3]);
    await expect(myRooms(c.clients[2]!.token)).resolves.not.toContainEqual(expect.objectContaining({ id: roomId }));
    // A round trip on the outsider's socket after everyone else got the messages: nothing arrived.
    await call(outsider, 'room.history', { roomId });
    expect(outsiderSeen['message.created']).toBeUndefined();
    expect(outsiderSeen['room.added']).toBeUndefined();
  });

  it('should answer NOT_FOUND and push nothing when a non-member, a member of another center or a visitor uses a room', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const member = await connect(t.url, c.clients[0]!.token);
    const roomId = await createRoom(counselor, [c.clients[0]!.id]);
    const v = await visitor(t, c.slug);
    const outsiders = await Promise.all([
      connect(t.url, c.clients[1]!.token),
      connect(t.url, other.clients[0]!.token),
      connect(t.url, other.counselors[0]!.token),
      connect(t.url, v.token),
    ]);
    const seen = outsiders.map(record);
    for (const s of outsiders) {
      const answers = await Promise.all([
        call(s, 'room.join', { roomId }),
        call(s, 'message.send', { roomId, clientMsgId: cid(), body: 'let me in' }),
        call(s, 'room.history', { roomId }),
        call(s, 'room.read', { roomId, seq: 1 }),
        call(s, 'room.typing', { roomId, typing: true }),
      ]);
      expect(answers.map((x) => (x.ok ? 'ok' : x.error.code))).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    }
    const closeByOtherCenter = await call(outsiders[2], 'room.close', { roomId });
    expect(closeByOtherCenter).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await t.http().delete(`/api/rooms/${roomId}`).set('Authorization', `Bearer ${other.admin.token}`).expect(404);

    const delivered = collectMessages(member, roomId, 1);
    await call(counselor, 'room.typing', { roomId, typing: true });
    ok(await call(counselor, 'message.send', { roomId, clientMsgId: cid(), body: 'private' }));
    await delivered;
    await Promise.all(outsiders.map((s) => call(s, 'room.history', { roomId })));
    for (const pushes of seen) expect(pushes).toEqual({});
    await expect(rowCount(roomId)).resolves.toBe(1);
  });

  it('should answer FORBIDDEN when a client or a visitor tries room.create or room.close', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const client = await connect(t.url, c.clients[0]!.token);
    const v = await connect(t.url, (await visitor(t, c.slug)).token);
    const roomId = await createRoom(counselor, [c.clients[0]!.id]);
    for (const s of [client, v]) {
      await expect(call(s, 'room.create', { name: 'mine', memberIds: [c.clients[1]!.id] })).resolves.toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      await expect(call(s, 'room.close', { roomId })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    await t.http().delete(`/api/rooms/${roomId}`).set('Authorization', `Bearer ${c.clients[0]!.token}`).expect(403);
    // Another counselor of the same center did not create it.
    const colleague = await connect(t.url, c.counselors[1]!.token);
    await expect(call(colleague, 'room.close', { roomId })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expect(myRooms(c.clients[0]!.token)).resolves.toContainEqual(expect.objectContaining({ id: roomId, closedAt: null }));
  });

  it('should answer VALIDATION_FAILED and store nothing when a payload is bad', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const roomId = await createRoom(counselor, [c.clients[0]!.id]);
    const emit = (event: string, payload: unknown) => callRaw(counselor, event, payload);
    const bad: [string, unknown][] = [
      ['message.send', { roomId, clientMsgId: cid(), body: '   ' }],
      ['message.send', { roomId, clientMsgId: cid(), body: 'x'.repeat(4001) }],
      ['message.send', { roomId, body: 'no client id' }],
      ['message.send', { roomId, clientMsgId: 'x'.repeat(65), body: 'too long id' }],
      ['message.send', { roomId, clientMsgId: cid(), body: 'extra', admin: true }],
      ['message.send', { roomId: 'not-a-uuid', clientMsgId: cid(), body: 'bad room' }],
      ['message.send', { roomId, clientMsgId: cid(), body: { text: 'object' } }],
      ['message.send', 'just a string'],
      ['room.history', { roomId, limit: 201 }],
      ['room.history', { roomId, afterSeq: '3' }],
      ['room.read', { roomId, seq: -1 }],
      ['room.create', { name: '', memberIds: [c.clients[0]!.id] }],
      ['room.create', { name: 'no members', memberIds: [] }],
      ['room.create', { name: 'staff member', memberIds: [c.counselors[1]!.id] }],
      ['room.create', { name: 'foreign member', memberIds: [other.clients[0]!.id] }],
      ['room.create', { name: 'window', memberIds: [c.clients[0]!.id], startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }],
      ['room.create', { name: 'bad date', memberIds: [c.clients[0]!.id], startsAt: 'tomorrow' }],
    ];
    const roomsBefore = (await myRooms(c.counselors[0]!.token)).length;
    for (const [event, payload] of bad) {
      const answer = await emit(event, payload);
      expect([event, answer.ok ? 'ok' : answer.error.code]).toEqual([event, 'VALIDATION_FAILED']);
    }
    await expect(rowCount(roomId)).resolves.toBe(0);
    await expect(myRooms(c.counselors[0]!.token)).resolves.toHaveLength(roomsBefore);
    await expect(myRooms(c.clients[0]!.token)).resolves.toContainEqual(expect.objectContaining({ id: roomId, lastSeq: 0 }));
  });

  it('should return the first result and store one row when the same clientMsgId is sent again', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const client = await connect(t.url, c.clients[0]!.token);
    const roomId = await createRoom(counselor, [c.clients[0]!.id]);
    const answers = await Promise.all(Array.from({ length: 8 }, () => call(counselor, 'message.send', { roomId, clientMsgId: 'same-id', body: 'only once' })));
    const results = answers.map(ok);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(results[0]!.seq).toBe(1);
    // The same clientMsgId from another sender is another message.
    const fromClient = ok(await call(client, 'message.send', { roomId, clientMsgId: 'same-id', body: 'mine' }));
    expect(fromClient.seq).toBe(2);
    const again = ok(await call(counselor, 'message.send', { roomId, clientMsgId: 'same-id', body: 'changed text' }));
    expect(again).toEqual(results[0]);
    await expect(rowCount(roomId)).resolves.toBe(2);
    const history = ok(await call(client, 'room.history', { roomId }));
    expect(history.messages.map((m) => [m.seq, m.body])).toEqual([
      [1, 'only once'],
      [2, 'mine'],
    ]);
  });

  it('should page history by afterSeq, beforeSeq and limit in seq order', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const roomId = await createRoom(counselor, [c.clients[0]!.id]);
    for (let i = 1; i <= 12; i++) ok(await call(counselor, 'message.send', { roomId, clientMsgId: `page-${i}`, body: `message ${i}` }));
    const page = async (q: { afterSeq?: number; beforeSeq?: number; limit?: number }) =>
      ok(await call(counselor, 'room.history', { roomId, ...q })).messages.map((m) => m.seq);
    await expect(page({})).resolves.toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await expect(page({ afterSeq: 5, limit: 3 })).resolves.toEqual([6, 7, 8]);
    await expect(page({ afterSeq: 10 })).resolves.toEqual([11, 12]);
    await expect(page({ afterSeq: 12 })).resolves.toEqual([]);
    await expect(page({ beforeSeq: 5 })).resolves.toEqual([1, 2, 3, 4]);
    await expect(page({ beforeSeq: 12, limit: 2 })).resolves.toEqual([10, 11]);
    await expect(page({ limit: 4 })).resolves.toEqual([9, 10, 11, 12]);
    await expect(page({ afterSeq: 2, beforeSeq: 6 })).resolves.toEqual([3, 4, 5]);
    const full = ok(await call(counselor, 'room.history', { roomId, afterSeq: 0, limit: 1 })).messages[0]!;
    expect(full).toMatchObject({ roomId, seq: 1, clientMsgId: 'page-1', body: 'message 1', sender: { id: c.counselors[0]!.id, role: 'counselor' } });
  });

  it('should count unread messages and tell the other sessions when room.read moves the marker', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const roomId = await createRoom(counselor, [c.clients[1]!.id]);
    for (let i = 1; i <= 5; i++) ok(await call(counselor, 'message.send', { roomId, clientMsgId: `unread-${i}`, body: `news ${i}` }));
    const unreadOf = async () => (await myRooms(c.clients[1]!.token)).find((r) => r.id === roomId);
    await expect(unreadOf()).resolves.toMatchObject({ lastSeq: 5, lastReadSeq: 0, unread: 5 });

    const phone = await connect(t.url, c.clients[1]!.token);
    const laptop = await connect(t.url, c.clients[1]!.token);
    const told = nextEvent(laptop, 'room.read');
    ok(await call(phone, 'room.read', { roomId, seq: 3 }));
    await expect(told).resolves.toEqual({ roomId, seq: 3 });
    await expect(unreadOf()).resolves.toMatchObject({ lastReadSeq: 3, unread: 2 });
    // An older marker never moves it back; a marker beyond the last message stops at it.
    ok(await call(phone, 'room.read', { roomId, seq: 1 }));
    await expect(unreadOf()).resolves.toMatchObject({ lastReadSeq: 3, unread: 2 });
    ok(await call(phone, 'room.read', { roomId, seq: 99 }));
    await expect(unreadOf()).resolves.toMatchObject({ lastReadSeq: 5, unread: 0 });
    // A new message reaches both open sessions at once (they were joined on connect).
    const onPhone = collectMessages(phone, roomId, 1);
    const onLaptop = collectMessages(laptop, roomId, 1);
    ok(await call(counselor, 'message.send', { roomId, clientMsgId: 'unread-6', body: 'one more' }));
    await expect(Promise.all([onPhone, onLaptop])).resolves.toHaveLength(2);
    await expect(unreadOf()).resolves.toMatchObject({ lastSeq: 6, unread: 1 });
  });

  it('should refuse writing outside the time window and keep the room readable', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const client = await connect(t.url, c.clients[0]!.token);
    const now = clock.now().getTime();
    const startsAt = new Date(now + 10 * 60_000).toISOString();
    const endsAt = new Date(now + 20 * 60_000).toISOString();
    const roomId = await createRoom(counselor, [c.clients[0]!.id], { startsAt, endsAt });
    const send = (s: TestSocket) => call(s, 'message.send', { roomId, clientMsgId: cid(), body: 'in the window?' });

    const early = await send(client);
    expect(early).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('opens') as string } });
    clock.advance(11 * 60_000);
    ok(await send(client));
    ok(await send(counselor));
    clock.advance(10 * 60_000);
    await expect(send(client)).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringContaining('can still be read') as string },
    });
    await expect(send(counselor)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const history = ok(await call(client, 'room.history', { roomId }));
    expect(history.messages.map((m) => m.seq)).toEqual([1, 2]);
    await expect(rowCount(roomId)).resolves.toBe(2);
  });

  it('should keep a closed room readable and refuse new messages when its counselor closes it', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const a = await connect(t.url, c.clients[0]!.token);
    const b = await connect(t.url, c.clients[1]!.token);
    const roomId = await createRoom(counselor, [c.clients[0]!.id, c.clients[1]!.id]);
    ok(await call(a, 'message.send', { roomId, clientMsgId: cid(), body: 'still here' }));
    const closedA = nextEvent(a, 'room.closed');
    const closedB = nextEvent(b, 'room.closed');
    ok(await call(counselor, 'room.close', { roomId }));
    await expect(closedA).resolves.toEqual({ roomId, reason: 'closed' });
    await expect(closedB).resolves.toEqual({ roomId, reason: 'closed' });
    await expect(rowCount(roomId)).resolves.toBe(1);
    const history = ok(await call(a, 'room.history', { roomId }));
    expect(history.messages.map((m) => m.body)).toEqual(['still here']);
    await expect(call(a, 'message.send', { roomId, clientMsgId: cid(), body: 'hello?' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const listed = (await myRooms(c.clients[0]!.token)).find((r) => r.id === roomId);
    expect(listed?.closedAt).toEqual(expect.any(String));
    // closing twice changes nothing and tells nobody again
    ok(await call(counselor, 'room.close', { roomId }));

    // deleting the closed room: gone for good, and the members learn it
    const goneA = nextEvent(a, 'room.closed');
    await t.http().delete(`/api/rooms/${roomId}`).set('Authorization', `Bearer ${c.counselors[0]!.token}`).expect(204);
    await expect(goneA).resolves.toEqual({ roomId, reason: 'deleted' });
    await expect(rowCount(roomId)).resolves.toBe(0);
    await expect(call(a, 'room.history', { roomId })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expect(myRooms(c.clients[0]!.token)).resolves.not.toContainEqual(expect.objectContaining({ id: roomId }));
    await expect(call(counselor, 'room.close', { roomId })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('should delete the room and its messages for good when its counselor or the admin deletes it', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const a = await connect(t.url, c.clients[0]!.token);
    const b = await connect(t.url, c.clients[1]!.token);
    const roomId = await createRoom(counselor, [c.clients[0]!.id, c.clients[1]!.id]);
    ok(await call(a, 'message.send', { roomId, clientMsgId: cid(), body: 'soon gone' }));
    const closedA = nextEvent(a, 'room.closed');
    const closedB = nextEvent(b, 'room.closed');
    await t.http().delete(`/api/rooms/${roomId}`).set('Authorization', `Bearer ${c.counselors[0]!.token}`).expect(204);
    await expect(closedA).resolves.toEqual({ roomId, reason: 'deleted' });
    await expect(closedB).resolves.toEqual({ roomId, reason: 'deleted' });
    await expect(rowCount(roomId)).resolves.toBe(0);
    await expect(call(a, 'room.history', { roomId })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expect(call(a, 'message.send', { roomId, clientMsgId: cid(), body: 'hello?' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    await expect(myRooms(c.clients[0]!.token)).resolves.not.toContainEqual(expect.objectContaining({ id: roomId }));
    await t.http().delete(`/api/rooms/${roomId}`).set('Authorization', `Bearer ${c.counselors[0]!.token}`).expect(404);

    // The center admin may delete any 1:1 or group room of the center over REST.
    const second = await createRoom(counselor, [c.clients[0]!.id]);
    ok(await call(a, 'message.send', { roomId: second, clientMsgId: cid(), body: 'also gone' }));
    const closed = nextEvent(a, 'room.closed');
    await t.http().delete(`/api/rooms/${second}`).set('Authorization', `Bearer ${c.admin.token}`).expect(204);
    await expect(closed).resolves.toEqual({ roomId: second, reason: 'deleted' });
    await expect(rowCount(second)).resolves.toBe(0);
  });

  it('should erase a deleted client’s memberships and messages when the account is deleted', async () => {
    const extra = await seedCenter(t, { counselors: 1, clients: 2 });
    const counselor = await connect(t.url, extra.counselors[0]!.token);
    const leaving = await connect(t.url, extra.clients[0]!.token);
    const roomId = await createRoom(counselor, [extra.clients[0]!.id, extra.clients[1]!.id]);
    ok(await call(leaving, 'message.send', { roomId, clientMsgId: cid(), body: 'about me' }));
    ok(await call(counselor, 'message.send', { roomId, clientMsgId: cid(), body: 'answer' }));
    await t.app.get(AccountsService).delete(extra.centerId, extra.clients[0]!.id);
    await expect(rowCount(roomId)).resolves.toBe(1);
    const members = await db().query<{ subject_id: string }[]>('SELECT subject_id FROM room_members WHERE room_id = ?', [roomId]);
    expect(members.map((m) => m.subject_id).sort()).toEqual([extra.counselors[0]!.id, extra.clients[1]!.id].sort());
  });

  it('should never store a message body in plain text in the database', async () => {
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const roomId = await createRoom(counselor, [c.clients[0]!.id]);
    const secret = `my secret ${Date.now()} Ünïcødé`;
    ok(await call(counselor, 'message.send', { roomId, clientMsgId: cid(), body: secret }));
    const rows = await db().query<Record<string, unknown>[]>('SELECT * FROM messages');
    expect(rows.length).toBeGreaterThan(0);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain('my secret');
    expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
    const mine = rows.find((r) => r.room_id === roomId)!;
    expect(String(mine.body)).toMatch(/^v1:/);
    const history = ok(await call(counselor, 'room.history', { roomId }));
    expect(history.messages[0]!.body).toBe(secret);
  });
  it('should delete kept transcripts of closed rooms after each center’s own retention and keep the rest', async () => {
    const rooms = t.app.get(RoomsService);
    const roomWithMessage = async (center: SeededCenter): Promise<string> => {
      const counselor = center.counselors[0]!;
      const { roomId } = await rooms.createSystemRoom({
        centerId: center.centerId,
        kind: 'live',
        name: 'Live chat',
        members: [{ subjectId: counselor.id, role: 'counselor', displayName: counselor.displayName }],
      });
      const socket = await connect(t.url, counselor.token);
      ok(await call(socket, 'message.send', { roomId, clientMsgId: cid(), body: 'kept for a while' }));
      return roomId;
    };
    const short = await roomWithMessage(c);
    const long = await roomWithMessage(other);
    const open = await roomWithMessage(c);
    for (const [center, roomId] of [
      [c, short],
      [other, long],
    ] as const)
      await rooms.closeRoom(center.centerId, roomId, 'ended', { deleteMessages: false });

    const in40Days = new Date(clock.now().getTime() + 40 * 24 * 60 * 60 * 1000);
    const deleted = await rooms.applyRetention(
      'live',
      [
        { id: c.centerId, keep: true, days: 30 },
        { id: other.centerId, keep: true, days: 365 },
      ],
      in40Days,
    );
    expect(deleted).toBe(1);
    expect([await rowCount(short), await rowCount(long), await rowCount(open)]).toEqual([0, 1, 1]);
  });
});
