import type { MessageView, RoomListItem, RoomMemberView } from '../../src/realtime/contract';
import { RestCall, RoomsSession } from '../../client/src/portal/rooms/rooms-session';
import { isoToZoned, zonedToIso } from '../../client/src/portal/rooms/zoned-time';
import { FakeSocket, flush } from '../harness/fake-socket';

const room = (id: string, over: Partial<RoomListItem> = {}): RoomListItem => ({
  id,
  kind: 'group',
  name: `Room ${id}`,
  lastSeq: 0,
  lastReadSeq: 0,
  unread: 0,
  startsAt: null,
  endsAt: null,
  closedAt: null,
  createdAt: '2026-01-01T10:00:00.000Z',
  ...over,
});

const msg = (roomId: string, seq: number, senderId = 'anna'): MessageView => ({
  roomId,
  id: `${roomId}-m${seq}`,
  seq,
  clientMsgId: `c${seq}`,
  sender: { id: senderId, displayName: senderId, role: 'counselor' },
  body: `hello ${seq}`,
  sentAt: new Date(2026, 0, 1, 12, 0, seq).toISOString(),
});

/** A fake REST server: the list of rooms, members per room, and every call made. */
class FakeRest {
  rooms: RoomListItem[] = [];
  members = new Map<string, RoomMemberView[]>();
  calls: { path: string; method: string }[] = [];
  call: RestCall = <T>(path: string, init: { method?: string } = {}): Promise<T> => {
    const method = init.method ?? 'GET';
    this.calls.push({ path, method });
    if (path === '/api/rooms') return Promise.resolve(structuredClone(this.rooms) as T);
    const m = /^\/api\/rooms\/([^/]+)\/members$/.exec(path);
    if (m) {
      const found = this.members.get(m[1]!);
      return found ? Promise.resolve(found as T) : Promise.reject(Object.assign(new Error('not found'), { code: 'NOT_FOUND' }));
    }
    const d = /^\/api\/rooms\/([^/]+)$/.exec(path);
    if (d && method === 'DELETE') {
      this.rooms = this.rooms.filter((r) => r.id !== d[1]);
      return Promise.resolve({} as T);
    }
    return Promise.reject(Object.assign(new Error('unexpected'), { code: 'INTERNAL' }));
  };
}

const self = { id: 'me', role: 'client' as const, displayName: 'grey-owl' };
const sessions: RoomsSession[] = [];

async function setup(rooms: RoomListItem[]) {
  const socket = new FakeSocket();
  const rest = new FakeRest();
  rest.rooms = rooms;
  let n = 0;
  const session = new RoomsSession({ socket, call: rest.call, self, newId: () => `cid-${++n}` });
  sessions.push(session);
  socket.connect();
  await flush();
  return { socket, rest, session };
}

/** Opens a room and answers its join and history (the reliable chat's resync). */
async function openRoom(s: FakeSocket, session: RoomsSession, roomId: string, history: MessageView[]) {
  const opened = session.open(roomId);
  await opened;
  await flush();
  s.take('room.join').ack({ ok: true, data: { roomId, name: 'x', lastSeq: history.length } });
  await flush();
  s.take('room.history').ack({ ok: true, data: { messages: history } });
  await flush();
}

describe('RoomsSession', () => {
  afterEach(() => {
    for (const s of sessions.splice(0)) s.destroy();
  });

  it('should raise the unread count and announce it when a message arrives for a room that is not open', async () => {
    const { socket, session } = await setup([room('a'), room('b', { lastSeq: 2, unread: 2 })]);
    expect(session.state.rooms?.map((r) => [r.id, r.unread])).toEqual([
      ['a', 0],
      ['b', 2],
    ]);
    socket.push('message.created', msg('b', 3));
    socket.push('message.created', msg('a', 1));
    expect(session.state.rooms?.map((r) => [r.id, r.unread])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    expect(session.state.news.map((n) => [n.kind, n.roomId, n.name])).toEqual([
      ['message', 'b', 'Room b'],
      ['message', 'a', 'Room a'],
    ]);
  });

  it('should send room.read and clear the unread count when the open room is visible', async () => {
    const { socket, rest, session } = await setup([room('a', { lastSeq: 2, unread: 2 })]);
    rest.members.set('a', [{ id: 'anna', displayName: 'Anna', role: 'counselor', muted: false }]);
    await openRoom(socket, session, 'a', [msg('a', 1), msg('a', 2)]);
    expect(session.state.open?.members?.map((m) => m.displayName)).toEqual(['Anna']);
    expect(socket.take('room.read').payload).toEqual({ roomId: 'a', seq: 2 });
    expect(session.state.rooms?.[0]).toMatchObject({ unread: 0, lastReadSeq: 2 });

    // a new message while the page is seen: read at once, nothing announced
    socket.push('message.created', msg('a', 3));
    expect(socket.take('room.read').payload).toEqual({ roomId: 'a', seq: 3 });
    expect(session.state.news).toEqual([]);

    // while the tab is hidden: counted and announced, read once the tab is seen again
    session.setVisible(false);
    socket.push('message.created', msg('a', 4));
    expect(socket.emitted('room.read')).toEqual([]);
    expect(session.state.rooms?.[0]).toMatchObject({ unread: 1 });
    expect(session.state.news.map((n) => n.kind)).toEqual(['message']);
    session.setVisible(true);
    expect(socket.take('room.read').payload).toEqual({ roomId: 'a', seq: 4 });
    expect(session.state.rooms?.[0]).toMatchObject({ unread: 0 });
  });

  it('should resend an unacked message with the same clientMsgId and fill the gap from history when the socket reconnects', async () => {
    const { socket, rest, session } = await setup([room('a')]);
    rest.members.set('a', []);
    await openRoom(socket, session, 'a', [msg('a', 1)]);
    session.send('hi there');
    const first = socket.take('message.send');
    expect(first.payload).toEqual({ roomId: 'a', clientMsgId: 'cid-1', body: 'hi there' });
    expect(session.state.open?.chat?.pending.map((p) => p.body)).toEqual(['hi there']);

    socket.drop();
    expect(session.state.online).toBe(false);
    socket.connect();
    await flush();
    socket.take('room.join').ack({ ok: true, data: { roomId: 'a', name: 'x', lastSeq: 3 } });
    await flush();
    const history = socket.take('room.history');
    expect(history.payload).toMatchObject({ roomId: 'a', afterSeq: 1 });
    history.ack({ ok: true, data: { messages: [msg('a', 2)] } });
    await flush();
    const again = socket.take('message.send');
    expect(again.payload).toEqual({ roomId: 'a', clientMsgId: 'cid-1', body: 'hi there' });
    again.ack({ ok: true, data: { id: 'a-m3', seq: 3, sentAt: new Date().toISOString() } });
    await flush();
    // the first attempt's late push (the server stored it once) is shown once
    socket.push('message.created', { ...msg('a', 3, 'me'), clientMsgId: 'cid-1', body: 'hi there' });
    expect(session.state.open?.chat?.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(session.state.open?.chat?.pending).toEqual([]);
    expect(session.state.online).toBe(true);
    expect(rest.calls.filter((c) => c.path === '/api/rooms').length).toBe(2);
  });

  it('should show typing of others and send own typing for the open room', async () => {
    const { socket, rest, session } = await setup([room('a')]);
    rest.members.set('a', []);
    await openRoom(socket, session, 'a', []);
    socket.push('room.typing', { roomId: 'a', sender: { id: 'anna', displayName: 'Anna' }, typing: true });
    expect(session.state.open?.chat?.typing).toEqual(['Anna']);
    session.typing();
    expect(socket.take('room.typing').payload).toEqual({ roomId: 'a', typing: true });
  });

  it('should list a new room when room.added arrives and announce it', async () => {
    const { socket, rest, session } = await setup([]);
    rest.rooms = [room('n', { name: 'Gruppe Mittwoch' })];
    socket.push('room.added', { roomId: 'n', name: 'Gruppe Mittwoch', kind: 'group' });
    await flush();
    expect(session.state.rooms?.map((r) => r.name)).toEqual(['Gruppe Mittwoch']);
    expect(session.state.news.map((n) => [n.kind, n.name])).toEqual([['added', 'Gruppe Mittwoch']]);
  });

  it('should mark a room closed and drop a deleted one when room.closed arrives, and tell the open room', async () => {
    const { socket, rest, session } = await setup([room('a'), room('b')]);
    rest.members.set('a', []);
    await openRoom(socket, session, 'a', []);
    socket.push('room.closed', { roomId: 'a', reason: 'closed' });
    expect(session.state.rooms?.find((r) => r.id === 'a')?.closedAt).toEqual(expect.any(String));
    expect(session.state.open?.ended).toBe('closed');
    socket.push('room.closed', { roomId: 'a', reason: 'deleted' });
    expect(session.state.rooms?.map((r) => r.id)).toEqual(['b']);
    expect(session.state.open?.ended).toBe('deleted');
    expect(session.state.news.map((n) => [n.kind, n.roomId])).toEqual([
      ['closed', 'a'],
      ['deleted', 'a'],
    ]);
  });

  it('should answer NOT_FOUND and join nothing when the room is not the caller’s', async () => {
    const { socket, session } = await setup([room('a')]);
    await session.open('someone-elses');
    await flush();
    expect(session.state.open).toMatchObject({ roomId: 'someone-elses', error: 'NOT_FOUND' });
    expect(socket.emitted('room.join')).toEqual([]);
    session.send('hello?');
    expect(socket.emitted('message.send')).toEqual([]);
  });

  it('should drop a room from the list when a counselor deletes it', async () => {
    const { rest, session } = await setup([room('a'), room('b')]);
    await expect(session.remove('a')).resolves.toBeNull();
    expect(rest.calls).toContainEqual({ path: '/api/rooms/a', method: 'DELETE' });
    expect(session.state.rooms?.map((r) => r.id)).toEqual(['b']);
  });

  it('should forget the unsent messages kept in the tab when the person signs out', async () => {
    const socket = new FakeSocket();
    const rest = new FakeRest();
    rest.rooms = [room('a')];
    rest.members.set('a', []);
    const kept = new Map<string, string>();
    const store = {
      getItem: (k: string) => kept.get(k) ?? null,
      setItem: (k: string, v: string) => void kept.set(k, v),
      removeItem: (k: string) => void kept.delete(k),
    };
    const session = new RoomsSession({ socket, call: rest.call, self, store, newId: () => 'cid-x' });
    sessions.push(session);
    socket.connect();
    await flush();
    await openRoom(socket, session, 'a', []);
    session.send('not yet sent');
    expect([...kept.values()].join()).toContain('not yet sent');
    session.forget();
    expect([...kept.keys()]).toEqual([]);
  });

  it('should send room.create and room.close and hand back their acks', async () => {
    const { socket, session } = await setup([]);
    const created = session.create({ name: 'Gruppe', memberIds: ['c1', 'c2'], startsAt: '2027-06-01T08:00:00.000Z' });
    const call = socket.take('room.create');
    expect(call.payload).toEqual({ name: 'Gruppe', memberIds: ['c1', 'c2'], startsAt: '2027-06-01T08:00:00.000Z' });
    call.ack({ ok: true, data: { roomId: 'r9' } });
    await expect(created).resolves.toEqual({ ok: true, data: { roomId: 'r9' } });
    const closed = session.close('r9');
    socket.take('room.close').ack({ ok: false, error: { code: 'FORBIDDEN', message: 'no' } });
    await expect(closed).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('zoned time', () => {
  it('should read a datetime-local value in the center’s zone when the browser is elsewhere', () => {
    expect(zonedToIso('2027-06-01T10:00', 'Europe/Berlin')).toBe('2027-06-01T08:00:00.000Z');
    expect(zonedToIso('2027-01-15T10:00', 'Europe/Berlin')).toBe('2027-01-15T09:00:00.000Z');
    expect(zonedToIso('2027-06-01T10:00', 'America/New_York')).toBe('2027-06-01T14:00:00.000Z');
    expect(zonedToIso('2027-06-01', 'Europe/Berlin')).toBeNull();
  });

  it('should give back the same wall-clock text when an instant is shown in the zone', () => {
    expect(isoToZoned('2027-06-01T08:00:00.000Z', 'Europe/Berlin')).toBe('2027-06-01T10:00');
    expect(isoToZoned('2027-03-28T01:30:00.000Z', 'Europe/Berlin')).toBe('2027-03-28T03:30');
  });
});
