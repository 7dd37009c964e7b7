import type { CannedResponseView } from '../../src/realtime/contract';
import type { LotseSocket } from '../../client/src/lib/socket';
import { ConsoleSession } from '../../client/src/console/console-session';
import { consoleTexts } from '../../client/src/i18n/de/console';
import { FakeSocket, flush, MemoryStore } from '../harness/fake-socket';

const CANNED: CannedResponseView[] = [
  { id: 'c1', title: 'Begrüßung', body: 'Hallo.', createdAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z' },
];
const ACCOUNT = { id: 'a1', role: 'counselor' as const, displayName: 'Anna' };
const KEY = 'lotse.portal.console.demo';

function setup(store = new MemoryStore(), onServerDisconnect?: () => void) {
  const sockets: FakeSocket[] = [];
  const requests: { path: string; auth: string | null }[] = [];
  jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const path = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    requests.push({ path, auth: new Headers(init?.headers).get('Authorization') });
    const body = path === '/api/canned-responses' ? CANNED : [];
    return Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
  });
  const session = new ConsoleSession(
    store as unknown as Storage,
    new MemoryStore() as unknown as Storage,
    consoleTexts,
    (token) => {
      const s = new FakeSocket(token);
      sockets.push(s);
      return s as unknown as LotseSocket;
    },
    { storageKey: KEY, restoreLogin: false, onServerDisconnect },
  );
  return { session, sockets, store, requests };
}

/** Connects the newest socket and answers live.sync with the given shift. */
async function connectAndSync(sockets: FakeSocket[], shift: { shiftId: string; maxChats: number } | null = null): Promise<FakeSocket> {
  const socket = sockets[sockets.length - 1]!;
  socket.connect();
  socket.take('live.sync').ack({ ok: true, data: { shift, chats: [], waiting: 0, entries: [] } });
  await flush();
  return socket;
}

afterEach(() => jest.restoreAllMocks());

describe('ConsoleSession inside the portal', () => {
  it('should sign in with an adopted login, without a login request, and load the canned responses with its token', async () => {
    const { session, sockets, requests, store } = setup();
    expect(sockets).toHaveLength(0);
    session.adopt({ token: 'portal-token', center: 'demo', account: ACCOUNT });
    expect(sockets.map((s) => s.token)).toEqual(['portal-token']);
    await connectAndSync(sockets);
    expect(session.state.auth?.account).toEqual(ACCOUNT);
    expect(session.state.canned).toEqual(CANNED);
    expect(requests.some((r) => r.path === '/api/auth/login')).toBe(false);
    expect(requests.find((r) => r.path === '/api/canned-responses')?.auth).toBe('Bearer portal-token');
    expect(JSON.parse(store.getItem(KEY)!)).toMatchObject({ token: 'portal-token', center: 'demo' });
    // adopting the same login again opens no second socket
    session.adopt({ token: 'portal-token', center: 'demo', account: ACCOUNT });
    expect(sockets).toHaveLength(1);
  });

  it('should not reconnect with a saved token on its own when restoreLogin is false', () => {
    const store = new MemoryStore();
    store.setItem(KEY, JSON.stringify({ token: 'old', center: 'demo', account: ACCOUNT, shift: { open: true, maxChats: 2 }, chats: [], active: null }));
    const { sockets } = setup(store);
    expect(sockets).toHaveLength(0);
  });

  it('should drop the old socket and tabs when another login is adopted', async () => {
    const { session, sockets } = setup();
    session.adopt({ token: 'first', center: 'demo', account: ACCOUNT });
    const first = await connectAndSync(sockets, { shiftId: 's1', maxChats: 2 });
    first.push('queue.assigned', { roomId: 'r1', peer: { displayName: 'Besucher·in' }, label: 'Eiche 1', assignedAt: '2026-12-01T10:00:00.000Z', waitedMs: 0 });
    expect(session.state.chats.map((c) => c.roomId)).toEqual(['r1']);
    session.adopt({ token: 'second', center: 'demo', account: { ...ACCOUNT, id: 'a2' } });
    expect(first.disconnected).toBe(true);
    expect(session.state.chats).toEqual([]);
    expect(sockets.map((s) => s.token)).toEqual(['first', 'second']);
  });

  it('should close the shift, drop the socket and forget the saved tabs when the portal session ends', async () => {
    const { session, sockets, store } = setup();
    session.adopt({ token: 'portal-token', center: 'demo', account: ACCOUNT });
    const socket = await connectAndSync(sockets, { shiftId: 's1', maxChats: 3 });
    expect(session.state.shift).toEqual({ open: true, maxChats: 3 });
    const ended = session.end();
    socket.take('shift.close').ack({ ok: true, data: {} });
    await ended;
    expect(socket.disconnected).toBe(true);
    expect(store.getItem(KEY)).toBeNull();
    expect(session.state.auth).toBeNull();
    expect(session.state.shift.open).toBe(false);
  });

  it('should tell the portal when the server drops the socket, and only then', async () => {
    const dropped = jest.fn();
    const { session, sockets } = setup(new MemoryStore(), dropped);
    session.adopt({ token: 'portal-token', center: 'demo', account: ACCOUNT });
    const socket = await connectAndSync(sockets);
    socket.push('disconnect', 'transport close');
    expect(dropped).not.toHaveBeenCalled();
    expect(session.state.online).toBe(false);
    socket.push('disconnect', 'io server disconnect');
    expect(dropped).toHaveBeenCalledTimes(1);
    socket.connected = false;
    session.reconnect();
    expect(socket.connected).toBe(true);
    // the reconnect restores from the server again
    socket.take('live.sync').ack({ ok: true, data: { shift: null, chats: [], waiting: 0, entries: [] } });
  });
});
