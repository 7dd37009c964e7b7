import type { ClientToServerEvents, LiveStatus, ServerToClientEvents } from '../../src/realtime/contract';
import { CentersService } from '../../src/modules/centers/centers.service';
import { LiveQueueService } from '../../src/modules/live-queue/live-queue.service';
import { call as ackCall, ok as okData, AnswerOf, PayloadOf } from '../harness/ack';
import { closeAllSockets, connect, connectFrom, nextEvent, seedCenter, SeededCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';
import { counselorOnShift, liveVisitor } from '../factories/live';
import type { CenterSpec } from '../factories';
import { TestClock } from '../harness/clock';
import { onMariaDb } from '../harness/env';
import { expectSeatsMatchChats } from '../harness/live-invariant';
import { expireGraceAndSweep, presenceHandled } from '../harness/shift-grace';

/** Commands of this suite wait up to 20 s for their ack (many sockets at once on two nodes). */
const call = <E extends keyof ClientToServerEvents>(socket: TestSocket, event: E, payload: PayloadOf<E>, ms = 20_000): Promise<AnswerOf<E>> =>
  ackCall(socket, event, payload, ms);

/** Collects every payload of a push from the moment it is called. */
function record<E extends keyof ServerToClientEvents>(socket: TestSocket, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  socket.on(event as never, ((p: Parameters<ServerToClientEvents[E]>[0]) => seen.push(p)) as never);
  return seen;
}

/** Calls `tick` until `done` settles (for sweeps driven by the injected clock). */
async function tickUntil<T>(done: Promise<T>, tick: () => Promise<void>): Promise<T> {
  let settled = false;
  const watched = done.finally(() => (settled = true));
  while (!settled) {
    await tick();
    await Promise.race([watched.catch(() => undefined), new Promise((r) => setTimeout(r, 100))]);
  }
  return watched;
}

/** Polls the public status until it matches (rejects after `ms`); answers the time it took. */
async function statusBecomes(t: TestApp, slug: string, expected: LiveStatus, ms = 1000): Promise<number> {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started <= ms) {
    last = (await t.http().get(`/api/centers/${slug}/live`).expect(200)).body;
    if (JSON.stringify(last) === JSON.stringify(expected)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`status stayed ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}`);
}

describe(`live chat queue (${onMariaDb ? 'two nodes, MariaDB + Redis' : 'one node, SQLite, in-memory store'})`, () => {
  let a: TestApp & { dropDb: () => Promise<void> };
  let b: TestApp & { dropDb: () => Promise<void> };
  let nodes: TestApp[];
  const clock = new TestClock();

  beforeAll(async () => {
    // visitors of the block test come from two addresses (forwarded by the local test client)
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

  const center = (settings: CenterSpec['settings'] = {}) => seedCenter(a, { counselors: 2, clients: 1, settings });
  const counselor = (c: SeededCenter, i: number, maxChats: number, node = nodes[i % nodes.length]!) => counselorOnShift(node, c, i, maxChats);
  const newVisitor = (c: SeededCenter, node: TestApp) => liveVisitor(node, c, undefined);

  /** A visitor whose requests come forwarded for `address` (the test client is a trusted local proxy). */
  async function visitorFrom(c: SeededCenter, node: TestApp, address: string): Promise<{ id: string; token: string; socket: TestSocket }> {
    const v = await visitor(node, c.slug);
    const socket = await connectFrom(node.url, v.token, address);
    return { id: v.visitorId, token: v.token, socket };
  }

  it('should assign 6, queue 20 in order and refuse 174 when 200 visitors join at once, then give a freed seat to position 1', async () => {
    const c = await center({ liveWaitingLimit: 20 });
    const counselors = [await counselor(c, 0, 3, nodes[0]), await counselor(c, 1, 3, nodes[nodes.length - 1])];
    const counselorAssigned = counselors.map((s) => record(s, 'queue.assigned'));
    const visitors = await Promise.all(Array.from({ length: 200 }, (_, i) => newVisitor(c, nodes[i % nodes.length]!)));
    const assignedPushes = visitors.map((v) => record(v.socket, 'queue.assigned'));

    const acks = await Promise.all(visitors.map((v) => call(v.socket, 'queue.join', { message: 'Ich brauche Hilfe' })));

    const positions = acks.map((ack) => (ack.ok ? ack.data.position : null));
    expect(positions.filter((p) => p === 0)).toHaveLength(6);
    expect(positions.filter((p): p is number => p !== null && p > 0).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(acks.filter((ack) => !ack.ok && ack.error.code === 'QUEUE_FULL')).toHaveLength(174);
    expect(acks.filter((ack) => !ack.ok && ack.error.code !== 'QUEUE_FULL')).toEqual([]);
    await expect(statusBecomes(a, c.slug, { open: true, full: true, waiting: 20 })).resolves.toBeLessThanOrEqual(1000);

    // both sides of each of the 6 chats hear about it; each counselor has exactly 3
    const assignedIdx = positions.flatMap((p, i) => (p === 0 ? [i] : []));
    await Promise.all(assignedIdx.map((i) => (assignedPushes[i]!.length > 0 ? Promise.resolve() : nextEvent(visitors[i]!.socket, 'queue.assigned'))));
    for (const i of assignedIdx) expect(assignedPushes[i]).toHaveLength(1);
    const deadline = Date.now() + 5000;
    while (counselorAssigned.some((l) => l.length < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(counselorAssigned.map((l) => l.length)).toEqual([3, 3]);
    for (const l of counselorAssigned) for (const p of l) expect(p.peer.displayName).toBe('Besucher·in');

    // a seat frees up: exactly the visitor at position 1 gets it, everybody else moves up by one
    const byPosition = new Map(positions.flatMap((p, i) => (p !== null && p > 0 ? [[p, visitors[i]!] as const] : [])));
    const first = byPosition.get(1)!;
    const firstAssigned = nextEvent(first.socket, 'queue.assigned');
    const movedUp = [...byPosition].filter(([p]) => p > 1).map(([p, v]) => nextEvent(v.socket, 'queue.position').then((e) => [p, e.position] as const));
    const nextForCounselor = nextEvent(counselors[0]!, 'queue.assigned');
    okData(await call(counselors[0]!, 'live.end', { roomId: counselorAssigned[0]![0]!.roomId }));

    const assignedNow = await firstAssigned;
    expect(assignedNow.peer.displayName).toBe('Counselor 1');
    await expect(nextForCounselor).resolves.toMatchObject({ roomId: assignedNow.roomId, peer: { displayName: 'Besucher·in' } });
    for (const [before, after] of await Promise.all(movedUp)) expect(after).toBe(before - 1);
    // nobody else was assigned: the 6 first ones and position 1
    expect(assignedPushes.filter((l) => l.length > 0)).toHaveLength(7);
    expect(assignedPushes.filter((l) => l.length > 1)).toEqual([]);
    await expect(statusBecomes(b, c.slug, { open: true, full: false, waiting: 19 })).resolves.toBeLessThanOrEqual(1000);
    await expectSeatsMatchChats(a, c.centerId);
    for (const v of visitors) v.socket.disconnect();
  });

  it('should refuse a join with LIVE_CLOSED without a shift, ALREADY_WAITING twice and FORBIDDEN for staff', async () => {
    const c = await center();
    const v = await newVisitor(c, a);
    const closed = await call(v.socket, 'queue.join', {});
    expect(closed).toMatchObject({ ok: false, error: { code: 'LIVE_CLOSED' } });
    await counselor(c, 0, 1);
    await expect(call(v.socket, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 0 } });
    await expect(call(v.socket, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'ALREADY_WAITING' } });
    const w = await newVisitor(c, b);
    await expect(call(w.socket, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 1 } });
    await expect(call(w.socket, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'ALREADY_WAITING' } });
    const staff = await connect(a.url, c.counselors[1]!.token);
    await expect(call(staff, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const client = await connect(a.url, c.clients[0]!.token);
    await expect(call(client, 'shift.open', { maxChats: 2 })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(call(staff, 'shift.open', { maxChats: 11 })).resolves.toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should show counselors on shift the queue with first messages and keep running chats when the last shift closes', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    const v1 = await newVisitor(c, a);
    const assigned = nextEvent(v1.socket, 'queue.assigned');
    okData(await call(v1.socket, 'queue.join', {}));
    const { roomId } = await assigned;
    const v2 = await newVisitor(c, b);
    const updated = new Promise<Parameters<ServerToClientEvents['queue.updated']>[0]>((resolve) => {
      s.on('queue.updated', (u) => {
        if (u.waiting === 1) resolve(u);
      });
    });
    await expect(call(v2.socket, 'queue.join', { message: 'Es geht um meine Schwester' })).resolves.toEqual({ ok: true, data: { position: 1 } });
    await expect(updated).resolves.toMatchObject({ waiting: 1, entries: [{ visitorId: v2.id, firstMessage: 'Es geht um meine Schwester' }] });

    const sentHome = nextEvent(v2.socket, 'queue.closed');
    const shiftClosed = nextEvent(s, 'shift.closed');
    okData(await call(s, 'shift.close', {}));
    await expect(sentHome).resolves.toEqual({ reason: 'shift_closed' });
    await expect(shiftClosed).resolves.toMatchObject({ reason: 'closed' });
    await expect(call(v2.socket, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'LIVE_CLOSED' } });
    await statusBecomes(b, c.slug, { open: false, full: false, waiting: 0 });
    // the running chat goes on
    await expect(call(v1.socket, 'message.send', { roomId, clientMsgId: 'm1', body: 'Hallo?' })).resolves.toMatchObject({ ok: true });
    await expect(call(s, 'message.send', { roomId, clientMsgId: 'm2', body: 'Ich bin da.' })).resolves.toMatchObject({ ok: true });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should close the wait with timeout after the maximum wait and move the ones behind up', async () => {
    const c = await center({ liveMaxWaitMinutes: 1 });
    await counselor(c, 0, 1);
    const v1 = await newVisitor(c, a);
    okData(await call(v1.socket, 'queue.join', {}));
    const v2 = await newVisitor(c, b);
    await expect(call(v2.socket, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 1 } });
    clock.advance(61_000);
    const v3 = await newVisitor(c, a);
    await expect(call(v3.socket, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 2 } });
    const timedOut = nextEvent(v2.socket, 'queue.closed');
    const movedUp = nextEvent(v3.socket, 'queue.position');
    await b.app.get(LiveQueueService).sweepQueues();
    await expect(timedOut).resolves.toEqual({ reason: 'timeout' });
    // no assignment of this center came through the line yet: no estimate
    await expect(movedUp).resolves.toEqual({ position: 1, estimateMinutes: null });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should remove a waiting visitor whose socket is gone longer than the grace, and not one who came back', async () => {
    const c = await center();
    await counselor(c, 0, 1);
    const v1 = await newVisitor(c, a);
    okData(await call(v1.socket, 'queue.join', {}));
    const leaving = await newVisitor(c, a);
    const back = await newVisitor(c, a);
    const staying = await newVisitor(c, b);
    for (const v of [leaving, back, staying]) okData(await call(v.socket, 'queue.join', {}));
    back.socket.disconnect();
    const backAgain = await connect(a.url, back.token);
    leaving.socket.disconnect();
    const moved = nextEvent(staying.socket, 'queue.position');
    const service = a.app.get(LiveQueueService);
    await expect(
      tickUntil(moved, async () => {
        clock.advance(21_000);
        await service.sweepAway();
      }),
    ).resolves.toEqual({ position: 2, estimateMinutes: null });
    await expect(call(backAgain, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'ALREADY_WAITING' } });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should tell a reconnected visitor their position, and the chat they were assigned while away', async () => {
    const c = await center();
    const s = await counselor(c, 0, 1);
    const first = await newVisitor(c, a);
    const firstAssigned = nextEvent(first.socket, 'queue.assigned');
    okData(await call(first.socket, 'queue.join', {}));
    const { roomId: firstRoom } = await firstAssigned;
    const waiting = await newVisitor(c, b);
    await expect(call(waiting.socket, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 1 } });

    // a reload while waiting: the new socket hears its position without joining again
    waiting.socket.disconnect();
    let told: Promise<unknown> = Promise.resolve();
    const again = await connect(a.url, waiting.token, (sock) => {
      told = nextEvent(sock, 'queue.position');
    });
    await expect(told).resolves.toEqual({ position: 1, estimateMinutes: null });

    // assigned while the connection is gone: the push is lost, the reconnect repairs it
    again.disconnect();
    const counselorAssigned = nextEvent(s, 'queue.assigned');
    okData(await call(s, 'live.end', { roomId: firstRoom }));
    const counselorSide = await counselorAssigned;
    let repaired: Promise<unknown> = Promise.resolve();
    await connect(b.url, waiting.token, (sock) => {
      repaired = nextEvent(sock, 'queue.assigned');
    });
    await expect(repaired).resolves.toEqual({ roomId: counselorSide.roomId, peer: { displayName: 'Counselor 1' } });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should close the shift after the grace when the counselor is gone, and keep it when they come back in time', async () => {
    const c = await center({ shiftGraceSeconds: 1 });
    const gone = await counselor(c, 0, 1, a);
    const v = await newVisitor(c, b);
    okData(await call(v.socket, 'queue.join', {}));
    const w = await newVisitor(c, b);
    okData(await call(w.socket, 'queue.join', {}));
    const sentHome = nextEvent(w.socket, 'queue.closed', 8000);
    const goneSeen = presenceHandled(a, 'onDisconnected', c.counselors[0]!.id);
    gone.disconnect();
    await goneSeen;
    await expireGraceAndSweep(nodes, c.counselors[0]!.id);
    await expect(sentHome).resolves.toEqual({ reason: 'shift_closed' });
    await statusBecomes(a, c.slug, { open: false, full: false, waiting: 0 });

    await a.app.get(CentersService).updateSettings(c.centerId, { shiftGraceSeconds: 2 });
    clock.advance(1_100); // the settings cache of the live queue is one second (of the injected clock)
    const reloading = await counselor(c, 1, 1, a);
    const counselorId = c.counselors[1]!.id;
    const disconnectSeen = presenceHandled(a, 'onDisconnected', counselorId);
    const connectSeen = presenceHandled(b, 'onConnected', counselorId);
    reloading.disconnect();
    const reloaded = await connect(b.url, c.counselors[1]!.token);
    await Promise.all([disconnectSeen, connectSeen]);
    // whichever came first, a grace that started is due now (database time) and swept on every node: the shift must survive
    await expireGraceAndSweep(nodes, counselorId);
    await statusBecomes(a, c.slug, { open: true, full: false, waiting: 0 });
    const x = await newVisitor(c, a);
    const assigned = nextEvent(reloaded, 'queue.assigned');
    const queueSeen = nextEvent(reloaded, 'queue.updated'); // the new socket is in the on-shift room
    await expect(call(x.socket, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 0 } });
    await expect(assigned).resolves.toMatchObject({ peer: { displayName: 'Besucher·in' } });
    await expect(queueSeen).resolves.toMatchObject({ waiting: 0 });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should end a chat and block the visitor and their address when the counselor asks, and let a visitor end their chat', async () => {
    const c = await center();
    const s = await counselor(c, 0, 2);
    const v = await newVisitor(c, a);
    const assigned = nextEvent(v.socket, 'queue.assigned');
    okData(await call(v.socket, 'queue.join', {}));
    const { roomId } = await assigned;
    const stranger = await newVisitor(c, b);
    await expect(call(stranger.socket, 'live.end', { roomId })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const closed = nextEvent(v.socket, 'room.closed');
    const counselorClosed = nextEvent(s, 'room.closed');
    const dropped = new Promise((resolve) => v.socket.once('disconnect', resolve));
    okData(await call(s, 'live.end', { roomId, block: true }));
    await expect(closed).resolves.toEqual({ roomId, reason: 'blocked' });
    await expect(counselorClosed).resolves.toEqual({ roomId, reason: 'blocked' });
    await dropped;
    await expect(connect(a.url, v.token)).rejects.toThrow('UNAUTHORIZED');
    // a new visitor token from the same address is blocked as well ("start a new chat" does not undo a block)
    const again = await newVisitor(c, b);
    await expect(call(again.socket, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const other = await visitorFrom(c, b, '198.51.100.20');
    const otherAssigned = nextEvent(other.socket, 'queue.assigned');
    okData(await call(other.socket, 'queue.join', {}));
    const room2 = (await otherAssigned).roomId;
    const counselorSees = nextEvent(s, 'room.closed');
    okData(await call(other.socket, 'live.end', { roomId: room2 }));
    await expect(counselorSees).resolves.toEqual({ roomId: room2, reason: 'ended_by_visitor' });
    // the seat is free again: the next visitor is assigned at once
    const next = await visitorFrom(c, a, '198.51.100.21');
    await expect(call(next.socket, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 0 } });
    await expectSeatsMatchChats(a, c.centerId);
  });

  it('should change the public status within a second on every node', async () => {
    const c = await center({ liveWaitingLimit: 1 });
    for (const n of nodes) await statusBecomes(n, c.slug, { open: false, full: false, waiting: 0 });
    const s = await counselor(c, 0, 1);
    for (const n of nodes) await expect(statusBecomes(n, c.slug, { open: true, full: false, waiting: 0 })).resolves.toBeLessThanOrEqual(1000);
    const v1 = await newVisitor(c, a);
    okData(await call(v1.socket, 'queue.join', {}));
    const v2 = await newVisitor(c, b);
    okData(await call(v2.socket, 'queue.join', {}));
    for (const n of nodes) await expect(statusBecomes(n, c.slug, { open: true, full: true, waiting: 1 })).resolves.toBeLessThanOrEqual(1000);
    const v3 = await newVisitor(c, b);
    await expect(call(v3.socket, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'QUEUE_FULL' } });
    okData(await call(s, 'shift.close', {}));
    for (const n of nodes) await expect(statusBecomes(n, c.slug, { open: false, full: false, waiting: 0 })).resolves.toBeLessThanOrEqual(1000);
    await expectSeatsMatchChats(a, c.centerId);
  });
});
