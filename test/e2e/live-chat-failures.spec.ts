import { DataSource } from 'typeorm';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/realtime/contract';
import { LiveChatsService } from '../../src/modules/live-queue/live-chats.service';
import { LiveChat } from '../../src/modules/live-queue/live-chat.entity';
import { LiveQueueRepository } from '../../src/modules/live-queue/live-queue.repository';
import { Message } from '../../src/modules/rooms/message.entity';
import { MessagesRepository } from '../../src/modules/rooms/messages.repository';
import { RoomMember } from '../../src/modules/rooms/room-member.entity';
import { Room } from '../../src/modules/rooms/room.entity';
import { call as ackCall, ok as okData, AnswerOf, PayloadOf } from '../harness/ack';
import { closeAllSockets, connect, nextEvent, seedCenter, SeededCenter, startApp, TestApp, TestSocket } from '../harness/app';
import { counselorOnShift, liveVisitor } from '../factories/live';
import type { CenterSpec } from '../factories';
import { TestClock } from '../harness/clock';
import { onMariaDb } from '../harness/env';
import { expectSeatsMatchChats } from '../harness/live-invariant';
import { expireGraceAndSweep, presenceHandled } from '../harness/shift-grace';

const call = <E extends keyof ClientToServerEvents>(socket: TestSocket, event: E, payload: PayloadOf<E>, ms = 15_000): Promise<AnswerOf<E>> =>
  ackCall(socket, event, payload, ms);

type Push<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/** Collects every payload of a push from the moment it is called. */
function record<E extends keyof ServerToClientEvents>(socket: TestSocket, event: E): Push<E>[] {
  const seen: Push<E>[] = [];
  socket.on(event as never, ((p: Push<E>) => seen.push(p)) as never);
  return seen;
}

describe(`live chat when things go wrong (${onMariaDb ? 'two nodes, MariaDB + Redis' : 'one node, SQLite, in-memory store'})`, () => {
  let a: TestApp & { dropDb: () => Promise<void> };
  let b: TestApp & { dropDb: () => Promise<void> };
  let nodes: TestApp[];
  const clock = new TestClock();

  beforeAll(async () => {
    const env = { TRUSTED_PROXIES: '127.0.0.1' };
    a = await startApp({ env, clock });
    b = a.config.database.kind === 'mysql' ? await startApp({ env, clock, databaseUrl: a.config.database.url }) : a;
    nodes = a === b ? [a] : [a, b];
  });
  afterAll(async () => {
    closeAllSockets();
    if (b !== a) await b.close();
    await a.close();
    await a.dropDb();
  });

  const center = (settings: CenterSpec['settings'] = {}) => seedCenter(a, { counselors: 3, clients: 0, settings });
  const counselor = (c: SeededCenter, i: number, maxChats: number, node = nodes[i % nodes.length]!) => counselorOnShift(node, c, i, maxChats, 15_000);
  const newVisitor = (c: SeededCenter, node: TestApp, address?: string) => liveVisitor(node, c, address);

  /** Joins and waits for the assignment: the room id. */
  async function chatWith(v: { socket: TestSocket }, message?: string): Promise<string> {
    const assigned = nextEvent(v.socket, 'queue.assigned');
    expect(okData(await call(v.socket, 'queue.join', message === undefined ? {} : { message }))).toEqual({ position: 0 });
    return (await assigned).roomId;
  }

  const bodies = async (s: TestSocket, roomId: string) => okData(await call(s, 'room.history', { roomId })).messages.map((m) => [m.seq, m.sender.role, m.body]);

  it('should make the first message the chat’s first message when assigned at once, after waiting and after a reconnect while waiting', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    // at once: stored before queue.assigned reaches either side
    const v1 = await newVisitor(c, a);
    const counselorAssigned = nextEvent(s, 'queue.assigned');
    const visitorAssigned = nextEvent(v1.socket, 'queue.assigned');
    okData(await call(v1.socket, 'queue.join', { message: '  Ich habe Tabletten gesammelt.  ' }));
    const { roomId: room1 } = await visitorAssigned;
    await expect(bodies(v1.socket, room1)).resolves.toEqual([[1, 'visitor', 'Ich habe Tabletten gesammelt.']]);
    const forCounselor = await counselorAssigned;
    expect(forCounselor).toMatchObject({ roomId: room1, peer: { displayName: 'Besucher·in' }, waitedMs: 0 });
    expect(forCounselor.label).toMatch(/^\p{L}+ \d{2}$/u);
    expect(Date.parse(forCounselor.assignedAt!)).not.toBeNaN();
    await expect(bodies(s, room1)).resolves.toEqual([[1, 'visitor', 'Ich habe Tabletten gesammelt.']]);

    // after waiting (on the other node), and with a reload while waiting
    const v2 = await newVisitor(c, b);
    expect(okData(await call(v2.socket, 'queue.join', { message: 'Ich warte.' }))).toEqual({ position: 1 });
    const v3 = await newVisitor(c, a);
    expect(okData(await call(v3.socket, 'queue.join', { message: 'Ich lade gleich neu.' }))).toEqual({ position: 2 });
    v3.socket.disconnect();
    const v3again = await connect(b.url, v3.token);
    clock.advance(90_000);
    const next = nextEvent(s, 'queue.assigned');
    const v2assigned = nextEvent(v2.socket, 'queue.assigned');
    okData(await call(s, 'live.end', { roomId: room1 }));
    const { roomId: room2 } = await v2assigned;
    expect((await next).waitedMs).toBeGreaterThanOrEqual(90_000);
    await expect(bodies(v2.socket, room2)).resolves.toEqual([[1, 'visitor', 'Ich warte.']]);
    const v3assigned = nextEvent(v3again, 'queue.assigned');
    okData(await call(s, 'live.end', { roomId: room2 }));
    const { roomId: room3 } = await v3assigned;
    await expect(bodies(s, room3)).resolves.toEqual([[1, 'visitor', 'Ich lade gleich neu.']]);
    // the first message is not stored in plain text
    const stored = await a.app.get(DataSource).query<{ body: string }[]>('SELECT body FROM messages WHERE room_id = ?', [room3]);
    expect(stored[0]!.body).not.toContain('neu');
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should pause the chat for the visitor when the counselor’s tab closes, keep what the visitor writes, assign nobody new to them, and resume on return', async () => {
    const c = await center({ shiftGraceSeconds: 30 });
    const s = await counselor(c, 0, 2, a);
    const v = await newVisitor(c, b);
    const roomId = await chatWith(v, 'Hallo');
    const paused = nextEvent(v.socket, 'live.paused', 5000);
    s.disconnect();
    await expect(paused).resolves.toEqual({ roomId, who: 'counselor' });
    okData(await call(v.socket, 'message.send', { roomId, clientMsgId: 'pills', body: 'Ich habe die Tabletten vor mir liegen.' }));
    // a second visitor is not assigned to the absent counselor, though a seat is free
    const w = await newVisitor(c, a);
    const wAssigned = record(w.socket, 'queue.assigned');
    expect(okData(await call(w.socket, 'queue.join', {}))).toEqual({ position: 1 });
    await expectSeatsMatchChats(a, c.centerId);

    const resumed = nextEvent(v.socket, 'live.resumed');
    const wNow = nextEvent(w.socket, 'queue.assigned');
    const back = await connect(b.url, c.counselors[0]!.token);
    await expect(resumed).resolves.toEqual({ roomId, who: 'counselor' });
    await wNow;
    expect(wAssigned).toHaveLength(1);
    const sync = okData(await call(back, 'live.sync', {}));
    expect(sync.shift).toMatchObject({ maxChats: 2 });
    const chat = sync.chats.find((x) => x.roomId === roomId);
    expect(chat).toMatchObject({ roomId, lastSeq: 2, unread: 2, peerAway: false });
    expect(sync.chats).toHaveLength(2);
    await expect(bodies(back, roomId)).resolves.toEqual([
      [1, 'visitor', 'Hallo'],
      [2, 'visitor', 'Ich habe die Tabletten vor mir liegen.'],
    ]);
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should hand the chats of a counselor gone beyond the grace to another counselor on shift, with the history', async () => {
    const c = await center({ shiftGraceSeconds: 1 });
    const gone = await counselor(c, 0, 1, a);
    const v = await newVisitor(c, a);
    const roomId = await chatWith(v, 'Erste Nachricht');
    okData(await call(gone, 'message.send', { roomId, clientMsgId: 'c1', body: 'Ich bin Anna.' }));
    const other = await counselor(c, 1, 1, b);
    const otherAssigned = nextEvent(other, 'queue.assigned', 10_000);
    const handedOver = nextEvent(v.socket, 'live.handedOver', 10_000);
    const vClosed = record(v.socket, 'room.closed');
    const goneSeen = presenceHandled(a, 'onDisconnected', c.counselors[0]!.id);
    gone.disconnect();
    await goneSeen;
    await expireGraceAndSweep(nodes, c.counselors[0]!.id);
    await expect(handedOver).resolves.toEqual({ roomId, peer: { displayName: 'Counselor 2' } });
    const assigned = await otherAssigned;
    expect(assigned).toMatchObject({ roomId, peer: { displayName: 'Besucher·in' } });
    expect(typeof assigned.label).toBe('string');
    await expect(bodies(other, roomId)).resolves.toEqual([
      [1, 'visitor', 'Erste Nachricht'],
      [2, 'counselor', 'Ich bin Anna.'],
    ]);
    const heard = nextEvent(v.socket, 'message.created');
    okData(await call(other, 'message.send', { roomId, clientMsgId: 'c2', body: 'Ich übernehme.' }));
    await expect(heard).resolves.toMatchObject({ body: 'Ich übernehme.', sender: { displayName: 'Counselor 2' } });
    expect(vClosed).toEqual([]);
    const row = await a.app.get(LiveQueueRepository).findChatByRoom(c.centerId, roomId);
    expect(row).toMatchObject({ counselorId: c.counselors[1]!.id, endedAt: null });
    // the old counselor, back later, sees no chat and cannot read it any more
    const old = await connect(a.url, c.counselors[0]!.token);
    await expect(call(old, 'live.sync', {})).resolves.toMatchObject({ ok: true, data: { shift: null, chats: [] } });
    await expect(call(old, 'room.history', { roomId })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should end the chats of a gone counselor with counselor_gone when the center chose so, or when nobody is free', async () => {
    for (const [settings, secondFree] of [
      [{ liveHandover: 'end' as const }, true],
      [{}, false],
    ] as const) {
      const c = await center({ shiftGraceSeconds: 1, ...settings });
      const gone = await counselor(c, 0, 1, a);
      const v = await newVisitor(c, b);
      const roomId = await chatWith(v);
      const busy = await counselor(c, 1, 1, b);
      if (!secondFree) await chatWith(await newVisitor(c, a));
      const closed = nextEvent(v.socket, 'room.closed', 10_000);
      const busyAssigned = record(busy, 'queue.assigned');
      const goneSeen = presenceHandled(a, 'onDisconnected', c.counselors[0]!.id);
      gone.disconnect();
      await goneSeen;
      await expireGraceAndSweep(nodes, c.counselors[0]!.id);
      await expect(closed).resolves.toEqual({ roomId, reason: 'counselor_gone' });
      await expect(a.app.get(LiveQueueRepository).findChatByRoom(c.centerId, roomId)).resolves.toMatchObject({ endReason: 'counselor_gone' });
      expect(busyAssigned.filter((x) => x.roomId === roomId)).toEqual([]);
      await expectSeatsMatchChats(a, c.centerId);
    }
  });

  it('should pause, resume and after the grace hand over or end the chat of a counselor who left while off shift', async () => {
    for (const withColleague of [true, false]) {
      const c = await center({ shiftGraceSeconds: 30 });
      const s = await counselor(c, 0, 1, a);
      const v = await newVisitor(c, b);
      const roomId = await chatWith(v, 'Hallo');
      okData(await call(s, 'shift.close', {})); // the running chat goes on
      let paused = nextEvent(v.socket, 'live.paused');
      s.disconnect();
      await expect(paused).resolves.toEqual({ roomId, who: 'counselor' });
      const resumed = nextEvent(v.socket, 'live.resumed');
      const back = await connect(b.url, c.counselors[0]!.token);
      await expect(resumed).resolves.toEqual({ roomId, who: 'counselor' });
      paused = nextEvent(v.socket, 'live.paused');
      back.disconnect();
      await paused;
      const other = withColleague ? await counselor(c, 1, 1, a) : null;
      const outcome = withColleague ? nextEvent(v.socket, 'live.handedOver') : nextEvent(v.socket, 'room.closed');
      const closedSeen = record(v.socket, 'room.closed');
      clock.advance(31_000);
      // every node sweeps at once: one of them claims the chat
      await Promise.all(nodes.flatMap((n) => [n.app.get(LiveChatsService).sweepCounselorsGone(), n.app.get(LiveChatsService).sweepCounselorsGone()]));
      if (other) {
        await expect(outcome).resolves.toEqual({ roomId, peer: { displayName: 'Counselor 2' } });
        await expect(bodies(other, roomId)).resolves.toEqual([[1, 'visitor', 'Hallo']]);
        expect(closedSeen).toEqual([]);
      } else {
        await expect(outcome).resolves.toEqual({ roomId, reason: 'counselor_gone' });
      }
      await expectSeatsMatchChats(a, c.centerId);
    }
  });

  it('should tell the counselor that the visitor left, free the seat and assign the next visitor (quick exit)', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    const v = await newVisitor(c, a);
    const roomId = await chatWith(v);
    const next = await newVisitor(c, b);
    expect(okData(await call(next.socket, 'queue.join', { message: 'Bin ich dran?' }))).toEqual({ position: 1 });
    const counselorClosed = nextEvent(s, 'room.closed');
    const visitorClosed = nextEvent(v.socket, 'room.closed');
    const nextAssigned = nextEvent(next.socket, 'queue.assigned');
    okData(await call(v.socket, 'queue.leave', {}));
    await expect(counselorClosed).resolves.toEqual({ roomId, reason: 'left' });
    await expect(visitorClosed).resolves.toEqual({ roomId, reason: 'left' });
    const { roomId: room2 } = await nextAssigned;
    await expect(bodies(s, room2)).resolves.toEqual([[1, 'visitor', 'Bin ich dran?']]);
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should pause and resume for the counselor when the visitor’s connection drops, and end the chat exactly once as disconnected beyond the grace', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    const v = await newVisitor(c, b);
    const roomId = await chatWith(v);
    const waiting = await newVisitor(c, a);
    okData(await call(waiting.socket, 'queue.join', {}));
    const closedSeen = record(s, 'room.closed');

    let paused = nextEvent(s, 'live.paused');
    v.socket.disconnect();
    await expect(paused).resolves.toEqual({ roomId, who: 'visitor' });
    const resumed = nextEvent(s, 'live.resumed');
    const again = await connect(a.url, v.token);
    await expect(resumed).resolves.toEqual({ roomId, who: 'visitor' });
    await expect(call(s, 'live.sync', {})).resolves.toMatchObject({ ok: true, data: { chats: [{ roomId, peerAway: false }] } });

    paused = nextEvent(s, 'live.paused');
    again.disconnect();
    await paused;
    await expect(call(s, 'live.sync', {})).resolves.toMatchObject({ ok: true, data: { chats: [{ roomId, peerAway: true }] } });
    const ended = nextEvent(s, 'room.closed');
    const nextAssigned = nextEvent(waiting.socket, 'queue.assigned');
    clock.advance(21_000);
    // every node sweeps at once: one of them ends the chat
    await Promise.all(nodes.flatMap((n) => [n.app.get(LiveChatsService).sweepVisitorsGone(), n.app.get(LiveChatsService).sweepVisitorsGone()]));
    await expect(ended).resolves.toEqual({ roomId, reason: 'disconnected' });
    await nextAssigned;
    await Promise.all(nodes.map((n) => n.app.get(LiveChatsService).sweepVisitorsGone()));
    okData(await call(s, 'live.sync', {}));
    expect(closedSeen.filter((x) => x.roomId === roomId)).toEqual([{ roomId, reason: 'disconnected' }]);
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should end a ghost chat whose visitor has no socket anywhere (a node died before it saw the disconnect)', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    const v = await newVisitor(c, a);
    const roomId = await chatWith(v);
    const paused = nextEvent(s, 'live.paused');
    v.socket.disconnect();
    await paused;
    // as if the node holding the visitor's socket had died: no away mark in the database
    const ghostPaused = nextEvent(s, 'live.paused');
    await a.app.get(DataSource).query('UPDATE live_chats SET visitor_away_since = NULL WHERE room_id = ?', [roomId]);
    await b.app.get(LiveChatsService).sweepGhosts();
    await expect(ghostPaused).resolves.toEqual({ roomId, who: 'visitor' });
    const ended = nextEvent(s, 'room.closed');
    clock.advance(21_000);
    await b.app.get(LiveChatsService).sweepVisitorsGone();
    await expect(ended).resolves.toEqual({ roomId, reason: 'disconnected' });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should close a live chat on room.close by its counselor like live.end, and tell nobody else it exists', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    const other = await connect(b.url, c.counselors[1]!.token);
    const v = await newVisitor(c, a);
    const roomId = await chatWith(v);
    const next = await newVisitor(c, b);
    okData(await call(next.socket, 'queue.join', {}));
    await expect(call(other, 'room.close', { roomId })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expect(call(v.socket, 'room.close', { roomId })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const visitorClosed = nextEvent(v.socket, 'room.closed');
    const nextAssigned = nextEvent(next.socket, 'queue.assigned');
    await expect(call(s, 'room.close', { roomId })).resolves.toEqual({ ok: true, data: {} });
    await expect(visitorClosed).resolves.toEqual({ roomId, reason: 'ended_by_counselor' });
    await nextAssigned;
    await expect(a.app.get(LiveQueueRepository).findChatByRoom(c.centerId, roomId)).resolves.toMatchObject({ endReason: 'ended_by_counselor' });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should restore the console on re-login: shift, running chats with history and unread, and the queue with suspicious entries', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    const v = await newVisitor(c, a, '198.51.100.1');
    const roomId = await chatWith(v, 'Hilfe');
    okData(await call(v.socket, 'message.send', { roomId, clientMsgId: 'm2', body: 'Noch da?' }));
    const flood1 = await newVisitor(c, b, '203.0.113.9');
    const flood2 = await newVisitor(c, a, '203.0.113.9');
    const single = await newVisitor(c, b, '198.51.100.2');
    for (const x of [flood1, flood2, single]) okData(await call(x.socket, 'queue.join', { message: `von ${x.id}` }));
    s.disconnect();
    const relogin = await connect(b.url, c.counselors[0]!.token);
    const sync = okData(await call(relogin, 'live.sync', {}));
    expect(sync.shift).toEqual({ shiftId: expect.any(String) as string, maxChats: 1 });
    expect(sync.chats).toEqual([
      { roomId, label: expect.any(String) as string, assignedAt: expect.any(String) as string, waitedMs: 0, lastSeq: 2, unread: 2, peerAway: false },
    ]);
    expect(sync.waiting).toBe(3);
    expect(sync.entries.map((e) => [e.visitorId, e.firstMessage, e.suspicious])).toEqual([
      [flood1.id, `von ${flood1.id}`, true],
      [flood2.id, `von ${flood2.id}`, true],
      [single.id, `von ${single.id}`, false],
    ]);
    await expect(bodies(relogin, roomId)).resolves.toEqual([
      [1, 'visitor', 'Hilfe'],
      [2, 'visitor', 'Noch da?'],
    ]);
    // the same label on every node and every reload
    const again = okData(await call(await connect(a.url, c.counselors[0]!.token), 'live.sync', {}));
    expect(again.chats[0]!.label).toBe(sync.chats[0]!.label);
    // counselors off shift see the count, not the entries; visitors cannot sync
    const offShift = okData(await call(await connect(a.url, c.counselors[1]!.token), 'live.sync', {}));
    expect(offShift).toEqual({ shift: null, chats: [], waiting: 3, entries: [] });
    await expect(call(v.socket, 'live.sync', {})).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should let a counselor on shift remove a waiting visitor, move the others up, and block token and address when asked', async () => {
    const c = await center({ liveBlockHours: 2 });
    const s = await counselor(c, 0, 1);
    await chatWith(await newVisitor(c, a, '198.51.100.1'));
    const fake = await newVisitor(c, b, '203.0.113.66');
    const real = await newVisitor(c, a, '198.51.100.7');
    okData(await call(fake.socket, 'queue.join', {}));
    expect(okData(await call(real.socket, 'queue.join', {}))).toEqual({ position: 2 });

    const offShift = await connect(b.url, c.counselors[1]!.token);
    await expect(call(offShift, 'queue.remove', { visitorId: fake.id })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(call(s, 'queue.remove', { visitorId: real.token })).resolves.toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    await expect(call(s, 'queue.remove', { visitorId: '00000000-0000-4000-8000-000000000000' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });

    const closed = nextEvent(fake.socket, 'queue.closed');
    const movedUp = nextEvent(real.socket, 'queue.position');
    okData(await call(s, 'queue.remove', { visitorId: fake.id, block: true }));
    await expect(closed).resolves.toEqual({ reason: 'blocked' });
    await expect(movedUp).resolves.toMatchObject({ position: 1 });
    // a fresh token from the same address is refused; another address is not
    const fresh = await newVisitor(c, b, '203.0.113.66');
    await expect(call(fresh.socket, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const elsewhere = await newVisitor(c, a, '203.0.113.67');
    await expect(call(elsewhere.socket, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 2 } });
    // without block: just out of the line
    const removed = nextEvent(elsewhere.socket, 'queue.closed');
    okData(await call(s, 'queue.remove', { visitorId: elsewhere.id }));
    await expect(removed).resolves.toEqual({ reason: 'removed' });
    const rejoin = await call(elsewhere.socket, 'queue.join', {});
    expect(rejoin).toEqual({ ok: true, data: { position: 2 } });

    // the block ends after liveBlockHours, and the expired block is swept away
    clock.advance(2 * 60 * 60 * 1000 + 1000);
    const later = await newVisitor(c, b, '203.0.113.66');
    await expect(call(later.socket, 'queue.join', {})).resolves.toMatchObject({ ok: true });
    // swept by this call or by a node's own sweep that ran first (both use the moved clock): gone either way
    await a.app.get(LiveQueueRepository).deleteExpiredBlocks(clock.now());
    const left = await a.app.get(DataSource).query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM visitor_blocks WHERE center_id = ?', [c.centerId]);
    expect(Number(left[0]?.n)).toBe(0);
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should estimate the wait from this center’s recent assignment waits, and say null below three of them', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    let roomId = await chatWith(await newVisitor(c, a));
    for (let i = 0; i < 3; i++) {
      const w = await newVisitor(c, nodes[i % nodes.length]!);
      const pos = nextEvent(w.socket, 'queue.position');
      okData(await call(w.socket, 'queue.join', {}));
      await expect(pos).resolves.toEqual({ position: 1, estimateMinutes: null });
      clock.advance(4 * 60_000);
      const assigned = nextEvent(w.socket, 'queue.assigned');
      okData(await call(s, 'live.end', { roomId }));
      roomId = (await assigned).roomId;
    }
    // three assignments waited 4 minutes each: position 2 → 8 minutes
    const first = await newVisitor(c, a);
    okData(await call(first.socket, 'queue.join', {}));
    const second = await newVisitor(c, b);
    const pos = nextEvent(second.socket, 'queue.position');
    okData(await call(second.socket, 'queue.join', {}));
    await expect(pos).resolves.toEqual({ position: 2, estimateMinutes: 8 });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should store nothing of the chat, free the seat and tell only the visitor when the first message cannot be written (one transaction with the room)', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    const spies = nodes.map((n) => jest.spyOn(n.app.get(MessagesRepository), 'append').mockRejectedValueOnce(new Error('forced failure')));
    try {
      const v = await newVisitor(c, a);
      const closed = nextEvent(v.socket, 'queue.closed');
      let counselorTold = false;
      s.once('queue.assigned', () => (counselorTold = true));
      okData(await call(v.socket, 'queue.join', { message: 'Ich weiß nicht weiter.' }));
      await expect(closed).resolves.toEqual({ reason: 'error' });
      const ds = a.app.get(DataSource);
      await expect(ds.getRepository(Room).countBy({ centerId: c.centerId })).resolves.toBe(0);
      await expect(ds.getRepository(RoomMember).countBy({ centerId: c.centerId })).resolves.toBe(0);
      await expect(ds.getRepository(LiveChat).countBy({ centerId: c.centerId })).resolves.toBe(0);
      await expect(ds.getRepository(Message).countBy({ centerId: c.centerId })).resolves.toBe(0);
      expect(counselorTold).toBe(false);
      // the seat came back, and the next chat starts with its own first message as seq 1
      const next = await newVisitor(c, a);
      const assigned = nextEvent(next.socket, 'queue.assigned');
      okData(await call(next.socket, 'queue.join', { message: 'Jetzt klappt es.' }));
      const { roomId } = await assigned;
      await expect(bodies(next.socket, roomId)).resolves.toEqual([[1, 'visitor', 'Jetzt klappt es.']]);
      await expectSeatsMatchChats(a, c.centerId);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('should leave no live room behind, free the seat and tell the visitor when the chat row cannot be written', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    // the second write of the assignment fails: the room and its members written before it roll back
    const spies = nodes.map((n) => jest.spyOn(n.app.get(LiveQueueRepository), 'insertChat').mockRejectedValueOnce(new Error('forced failure')));
    try {
      const v = await newVisitor(c, a);
      const closed = nextEvent(v.socket, 'queue.closed');
      okData(await call(v.socket, 'queue.join', {}));
      await expect(closed).resolves.toEqual({ reason: 'error' });
      const ds = a.app.get(DataSource);
      await expect(ds.getRepository(Room).countBy({ centerId: c.centerId })).resolves.toBe(0);
      await expect(ds.getRepository(RoomMember).countBy({ centerId: c.centerId })).resolves.toBe(0);
      // the seat came back: the next visitor is assigned to the same counselor
      const next = await newVisitor(c, a);
      const assigned = nextEvent(s, 'queue.assigned');
      await chatWith(next);
      expect(typeof (await assigned).roomId).toBe('string');
      await expect(ds.getRepository(Room).countBy({ centerId: c.centerId })).resolves.toBe(1);
      await expectSeatsMatchChats(a, c.centerId);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
